#include "layout.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <random>

namespace mlv::transfer {

namespace {

std::string sharded(const char* kind, const std::string& id) {
  return std::string(kind) + "/" + id.substr(0, 2) + "/" + id;
}

} // namespace

std::string pack_key(const std::string& pack_id) {
  return sharded("packs", pack_id);
}
std::string manifest_key(const std::string& file_id) {
  return sharded("manifests", file_id);
}
std::string dir_key(const std::string& dir_id) {
  return sharded("dirs", dir_id);
}
std::string bundle_key(const std::string& dir_id) {
  return sharded("bundles", dir_id);
}

std::optional<std::string> id_of_key(const std::string& kind, const std::string& key) {
  const auto slash = key.rfind('/');
  if (slash == std::string::npos) {
    return std::nullopt;
  }
  auto id = key.substr(slash + 1);
  if (!hash::is_content_id(id) || key != sharded(kind.c_str(), id)) {
    return std::nullopt;
  }
  return id;
}

std::string bundle_record(const std::string& dir_id) {
  return "bundle:" + dir_id;
}

std::optional<Bundle>
read_bundle(cache::Cache& cache, RemoteHandle remote, const std::string& dir_id, Meter& meter) {
  std::string stored;
  try {
    stored = read_object(remote, bundle_key(dir_id), meter);
  } catch (const Error& error) {
    if (error.kind() != Failure::not_found) {
      throw;
    }
    return std::nullopt;
  }
  const auto source = remote.store.display_url() + "/" + bundle_key(dir_id);
  auto bundle = parse_remote_bundle(stored, source);
  if (bundle.dir_id != dir_id) {
    throw Error(Failure::invalid_input, source + " is the bundle of folder " + bundle.dir_id,
                "the bundle is damaged; delete it and push the folder again");
  }
  // Where its chunks live, in one transaction (a bundle may hold 100,000 manifests).
  std::set<std::string> packs;
  {
    cache::StateDb::Transaction records(cache.state());
    for (const auto& manifest : bundle.manifests) {
      for (const auto& chunk : manifest.chunks) {
        if (chunk.pack.empty()) {
          throw Error(Failure::invalid_input,
                      source + ": chunk " + chunk.id + " of file " + manifest.id +
                          " has no pack location",
                      "the bundle is damaged; delete it and push the folder again");
        }
        packs.insert(chunk.pack);
      }
      cache.state().record_remote_chunks(remote.state_key, manifest);
    }
    records.commit();
  }
  record_bundle_packs(cache.state(), remote.state_key, dir_id, packs);
  return bundle;
}

void record_bundle_packs(cache::StateDb& state,
                         const std::string& remote_key,
                         const std::string& dir_id,
                         const std::set<std::string>& packs) {
  cache::Manifest located; // one chunk per pack: record_manifest_packs() reads only those
  located.id = bundle_record(dir_id);
  for (const auto& pack : packs) {
    cache::ChunkEntry chunk;
    chunk.pack = pack;
    located.chunks.push_back(std::move(chunk));
  }
  state.record_manifest_packs(remote_key, located);
}

std::string read_object(RemoteHandle remote, const std::string& key, Meter& meter) {
  std::string text;
  const bool found = remote.store.get(key, [&](std::span<const std::byte> block) {
    text.append(reinterpret_cast<const char*>(block.data()), block.size());
  });
  meter.update([&](Stats& stats) {
    ++stats.requests;
    if (found) {
      ++stats.objects_received;
      stats.bytes_received += text.size();
    }
  });
  if (!found) {
    throw Error(Failure::not_found, remote.store.display_url() + ": object " + key + " is missing");
  }
  return text;
}

namespace {

// A new remote's id: 128 random bits in hex, so two remotes made at the same URL never share one.
std::string new_remote_id() {
  std::random_device device;
  std::string id;
  for (int i = 0; i < 4; ++i) {
    char word[9];
    std::snprintf(word, sizeof word, "%08x", static_cast<unsigned>(device()));
    id += word;
  }
  return id;
}

void write_layout(RemoteHandle remote, const std::string& remote_id, Meter& meter) {
  const std::string layout =
      "# mlv remote; see docs/formats-pack-remote.md\nlayout: " + std::to_string(k_layout_version) +
      "\nid: " + remote_id + "\n";
  remote.store.put(k_layout_file, std::as_bytes(std::span(layout.data(), layout.size())));
  meter.update([&](Stats& stats) {
    ++stats.requests;
    ++stats.objects_sent;
    stats.bytes_sent += layout.size();
  });
}

} // namespace

std::optional<std::string> check_layout(RemoteHandle remote, bool create, Meter& meter) {
  std::string text;
  const bool found = remote.store.get(k_layout_file, [&](std::span<const std::byte> block) {
    text.append(reinterpret_cast<const char*>(block.data()), block.size());
  });
  meter.update([](Stats& stats) { ++stats.requests; });
  if (!found) {
    if (create) {
      auto id = new_remote_id();
      write_layout(remote, id, meter);
      return id;
    }
    if (!remote.store.location_exists()) {
      throw Error(Failure::remote, "remote " + remote.store.display_url() + " does not exist",
                  "check the remote's URL with `mlv remote list` (a relative folder resolves "
                  "against the repository root); `mlv push` creates a remote folder");
    }
    return std::nullopt;
  }
  int version = 0;
  std::string id;
  try {
    const auto yaml = YAML::Load(text);
    version = yaml["layout"].as<int>();
    if (const auto node = yaml["id"]; node && node.IsScalar()) {
      id = node.as<std::string>();
    }
  } catch (const YAML::Exception&) {
    throw Error(Failure::remote,
                remote.store.display_url() + "/" + k_layout_file + " is not a valid layout file",
                "is this folder an mlv remote? fix or remove that file");
  }
  if (version != k_layout_version) {
    throw Error(Failure::remote,
                remote.store.display_url() + " uses remote layout " + std::to_string(version) +
                    "; this mlv reads layout " + std::to_string(k_layout_version),
                "upgrade mlv");
  }
  if (id.empty() && create) {
    // A remote made before layout files carried an id gets one from its next push, when that
    // push may write there (a push to a read-only remote that holds everything still works).
    try {
      auto made = new_remote_id();
      write_layout(remote, made, meter);
      id = std::move(made);
    } catch (const Error& error) {
      if (error.kind() != Failure::remote) {
        throw;
      }
    }
  }
  return id;
}

void reconcile_remote_record(cache::StateDb& state,
                             const std::string& state_key,
                             const std::optional<std::string>& remote_id) {
  if (!remote_id) {
    state.forget_remote(state_key);
    return;
  }
  if (remote_id->empty()) {
    return; // an old remote without an id: the per-target checks are all there is
  }
  const auto known = state.remote_id(state_key);
  if (known && *known != *remote_id) {
    state.forget_remote(state_key);
  }
  if (known != remote_id) {
    state.set_remote_id(state_key, *remote_id);
  }
}

void open_remote_record(cache::Cache& cache, RemoteHandle remote, bool create) {
  Meter meter({});
  reconcile_remote_record(cache.state(), remote.state_key, check_layout(remote, create, meter));
}

} // namespace mlv::transfer
