#include "layout.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>

#include <yaml-cpp/yaml.h>

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
    throw Error(ExitCode::missing, remote.store.display_url() + ": object " + key + " is missing");
  }
  return text;
}

bool check_layout(RemoteHandle remote, bool create, Meter& meter) {
  std::string text;
  const bool found = remote.store.get(k_layout_file, [&](std::span<const std::byte> block) {
    text.append(reinterpret_cast<const char*>(block.data()), block.size());
  });
  meter.update([](Stats& stats) { ++stats.requests; });
  if (!found) {
    if (create) {
      const std::string layout = "# mlv remote; see docs/formats-pack-remote.md\nlayout: " +
                                 std::to_string(k_layout_version) + "\n";
      remote.store.put(k_layout_file, std::as_bytes(std::span(layout.data(), layout.size())));
      meter.update([&](Stats& stats) {
        ++stats.requests;
        ++stats.objects_sent;
        stats.bytes_sent += layout.size();
      });
    }
    return false;
  }
  int version = 0;
  try {
    version = YAML::Load(text)["layout"].as<int>();
  } catch (const YAML::Exception&) {
    throw Error(ExitCode::remote,
                remote.store.display_url() + "/" + k_layout_file + " is not a valid layout file",
                "is this folder an mlv remote? fix or remove that file");
  }
  if (version != k_layout_version) {
    throw Error(ExitCode::remote,
                remote.store.display_url() + " uses remote layout " + std::to_string(version) +
                    "; this mlv reads layout " + std::to_string(k_layout_version),
                "upgrade mlv");
  }
  return true;
}

} // namespace mlv::transfer
