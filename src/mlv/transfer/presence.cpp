#include "layout.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/task_pool.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>

namespace mlv::transfer {

namespace {

// A listing page holds up to 1,000 keys on every object store, so a prefix with fewer keys than
// that is listed in one request: cheaper than one HEAD per id when two or more ids share it.
constexpr std::size_t k_list_page = 1000;

std::string key_of(const std::string& kind, const std::string& id) {
  return kind == "packs"       ? pack_key(id)
         : kind == "manifests" ? manifest_key(id)
         : kind == "bundles"   ? bundle_key(id)
                               : dir_key(id);
}

// The packs that the remote's manifest of a file, or bundle of a folder (`record` is a file id or
// a bundle_record()), points into, read from the remote (and recorded). Nothing when it is gone
// or unreadable (a damaged one is written again by the next push).
std::optional<std::set<std::string>>
read_packs_of(cache::Cache& cache,
              RemoteHandle remote,
              const std::string& record,
              const std::map<std::string, std::string>& bundles,
              Meter& meter) {
  std::set<std::string> packs;
  try {
    if (const auto dir = bundles.find(record); dir != bundles.end()) {
      const auto bundle = read_bundle(cache, remote, dir->second, meter);
      if (!bundle) {
        return std::nullopt;
      }
      for (const auto& manifest : bundle->manifests) {
        for (const auto& chunk : manifest.chunks) {
          packs.insert(chunk.pack);
        }
      }
      return packs;
    }
    const auto text = read_object(remote, manifest_key(record), meter);
    const auto manifest =
        parse_remote_manifest(text, remote.store.display_url() + "/" + manifest_key(record));
    cache.state().record_remote_chunks(remote.state_key, manifest);
    cache.state().record_manifest_packs(remote.state_key, manifest);
    for (const auto& chunk : manifest.chunks) {
      packs.insert(chunk.pack);
    }
  } catch (const Error& error) {
    if (error.kind() == Failure::not_found || error.kind() == Failure::invalid_input) {
      return std::nullopt;
    }
    throw;
  }
  return packs;
}

// The files of folders pushed before bundles: their listings, from the cache or the remote.
// A listing that cannot be read leaves its folder out (counted absent).
std::map<std::string, std::set<std::string>>
files_of_unbundled(cache::Cache& cache, RemoteHandle remote, const std::set<std::string>& dirs) {
  std::map<std::string, std::set<std::string>> files;
  for (const auto& dir_id : dirs) {
    try {
      auto& ids = files[dir_id];
      for (const auto& entry : load_dir_listing(cache, remote, dir_id).entries) {
        ids.insert(entry.id);
      }
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found && error.kind() != Failure::corrupt &&
          error.kind() != Failure::invalid_input) {
        throw;
      }
      files.erase(dir_id);
    }
  }
  return files;
}

// Whether a pack's bytes hash to its name: a pack is named by the SHA-256 of its bytes and push
// packs only chunks checked against their ids, so a pack that passes holds every chunk intact.
// Streams the pack (constant memory). False when it is missing.
bool pack_is_intact(RemoteHandle remote, const std::string& pack, Meter& meter) {
  hash::Sha256 sha;
  std::uint64_t size = 0;
  const bool found = remote.store.get(pack_key(pack), [&](std::span<const std::byte> block) {
    sha.update(block);
    size += block.size();
  });
  meter.update([&](Stats& stats) {
    ++stats.requests;
    stats.bytes_received += size;
  });
  return found && sha.finish_hex() == pack;
}

} // namespace

std::set<std::string> keys_on_remote(RemoteHandle remote,
                                     const std::string& kind,
                                     const std::set<std::string>& ids,
                                     unsigned jobs,
                                     Meter& meter) {
  std::map<std::string, std::vector<std::string>> by_prefix; // "manifests/ab/" -> ids
  for (const auto& id : ids) {
    const auto key = key_of(kind, id);
    by_prefix[key.substr(0, key.rfind('/') + 1)].push_back(id);
  }
  std::set<std::string> present;
  std::mutex mutex;
  bool prefixes_are_large = false; // seen a prefix of more than a page: HEADs are cheaper
  util::TaskPool pool(jobs, jobs * 4);
  for (const auto& entry : by_prefix) {
    // Copies, not structured bindings: clang 14 cannot capture those.
    pool.submit([&, prefix = entry.first, prefix_ids = entry.second] {
      bool list = prefix_ids.size() >= 2;
      {
        const std::lock_guard lock(mutex);
        list = list && !prefixes_are_large;
      }
      if (list) {
        const auto listed = remote.store.list(prefix);
        meter.update([](Stats& stats) { ++stats.requests; });
        std::set<std::string> held;
        for (const auto& object : listed) {
          if (auto id = id_of_key(kind, object.key)) {
            held.insert(std::move(*id));
          }
        }
        const std::lock_guard lock(mutex);
        prefixes_are_large = prefixes_are_large || listed.size() > k_list_page;
        for (const auto& id : prefix_ids) {
          if (held.contains(id)) {
            present.insert(id);
          }
        }
        return;
      }
      for (const auto& id : prefix_ids) {
        meter.update([](Stats& stats) { ++stats.requests; });
        if (remote.store.exists(key_of(kind, id))) {
          const std::lock_guard lock(mutex);
          present.insert(id);
        }
      }
    });
  }
  pool.wait();
  return present;
}

std::set<std::string> packs_on_remote(RemoteHandle remote,
                                      const std::set<std::string>& packs,
                                      unsigned jobs,
                                      bool verify,
                                      Meter& meter) {
  if (!verify) {
    return keys_on_remote(remote, "packs", packs, jobs, meter);
  }
  std::set<std::string> intact;
  std::mutex mutex;
  util::TaskPool pool(jobs, jobs * 2);
  for (const auto& pack : packs) {
    pool.submit([&, pack] {
      if (pack_is_intact(remote, pack, meter)) {
        const std::lock_guard lock(mutex);
        intact.insert(pack);
      }
    });
  }
  pool.wait();
  return intact;
}

std::set<std::string> confirm_on_remote(cache::Cache& cache,
                                        RemoteHandle remote,
                                        const std::set<std::string>& file_ids,
                                        const std::set<std::string>& dir_ids,
                                        unsigned jobs,
                                        bool verify,
                                        Meter& meter) {
  auto& state = cache.state();
  // The state database is not trusted for what a command would skip: a remote can be emptied or
  // lose a pack behind mlv's back. Dir listings, bundles and manifests are confirmed, then the
  // packs they point into.
  const auto listed = keys_on_remote(remote, "dirs", dir_ids, jobs, meter);
  const auto bundled = keys_on_remote(remote, "bundles", listed, jobs, meter);
  std::set<std::string> unbundled;
  std::set_difference(listed.begin(), listed.end(), bundled.begin(), bundled.end(),
                      std::inserter(unbundled, unbundled.end()));
  const auto old_folders = files_of_unbundled(cache, remote, unbundled);
  std::set<std::string> wanted_files = file_ids;
  for (const auto& [dir_id, files] : old_folders) {
    wanted_files.insert(files.begin(), files.end());
  }
  const auto manifests = keys_on_remote(remote, "manifests", wanted_files, jobs, meter);
  // What points into packs: manifests by file id, bundles by bundle_record().
  std::set<std::string> records = manifests;
  std::map<std::string, std::string> bundles; // bundle_record() -> dir id
  for (const auto& dir_id : bundled) {
    bundles.emplace(bundle_record(dir_id), dir_id);
    records.insert(bundle_record(dir_id));
  }
  // The packs of each record, as recorded when it was written or read; one not recorded, or
  // whose recorded packs are not all there (another machine may have rewritten it), is read
  // from the remote.
  std::map<std::string, std::set<std::string>> packs_by_record;
  std::set<std::string> checked;
  std::set<std::string> held;
  const auto check = [&](const std::set<std::string>& ids, bool recorded) {
    std::set<std::string> packs;
    std::mutex mutex;
    util::TaskPool pool(jobs, jobs * 4);
    for (const auto& id : ids) {
      auto named = recorded ? state.manifest_packs(remote.state_key, id) : std::nullopt;
      if (recorded && !named) {
        continue;
      }
      if (named) {
        packs.insert(named->begin(), named->end());
        packs_by_record[id] = std::move(*named);
        continue;
      }
      pool.submit([&, id] {
        auto read = read_packs_of(cache, remote, id, bundles, meter);
        const std::lock_guard lock(mutex);
        if (read) {
          packs.insert(read->begin(), read->end());
          packs_by_record[id] = std::move(*read);
        } else {
          packs_by_record.erase(id);
        }
      });
    }
    pool.wait();
    packs.erase(""); // the mark of a record without chunks
    std::set<std::string> unchecked;
    std::set_difference(packs.begin(), packs.end(), checked.begin(), checked.end(),
                        std::inserter(unchecked, unchecked.end()));
    const auto found = packs_on_remote(remote, unchecked, jobs, verify, meter);
    held.insert(found.begin(), found.end());
    checked.insert(unchecked.begin(), unchecked.end());
  };
  const auto whole = [&](const std::string& id) {
    const auto named = packs_by_record.find(id);
    return named != packs_by_record.end() &&
           std::all_of(named->second.begin(), named->second.end(), [&](const std::string& pack) {
             return pack.empty() || held.contains(pack);
           });
  };
  std::set<std::string> unrecorded;
  check(records, true);
  for (const auto& id : records) {
    if (!whole(id)) {
      unrecorded.insert(id);
    }
  }
  if (!unrecorded.empty()) {
    check(unrecorded, false);
  }
  std::vector<std::string> lost;
  for (const auto& pack : checked) {
    if (!held.contains(pack)) {
      lost.push_back(pack);
    }
  }
  if (!lost.empty()) {
    state.forget_remote_packs(remote.state_key, lost);
  }
  std::set<std::string> present;
  for (const auto& id : wanted_files) {
    if (manifests.contains(id) && whole(id)) {
      state.record_remote_manifest(remote.state_key, id);
      if (file_ids.contains(id)) {
        present.insert(id);
      }
    } else {
      state.forget_remote_manifest(remote.state_key, id);
    }
  }
  for (const auto& dir_id : bundled) {
    if (whole(bundle_record(dir_id))) {
      present.insert(dir_id);
    }
  }
  for (const auto& [dir_id, files] : old_folders) {
    if (std::all_of(files.begin(), files.end(),
                    [&](const std::string& id) { return manifests.contains(id) && whole(id); })) {
      present.insert(dir_id);
    }
  }
  return present;
}

std::set<std::string> present_on_remote(cache::Cache& cache,
                                        RemoteHandle remote,
                                        const std::set<std::string>& file_ids,
                                        const std::set<std::string>& dir_ids,
                                        unsigned jobs,
                                        bool verify) {
  Meter meter({});
  return confirm_on_remote(cache, remote, file_ids, dir_ids, jobs, verify, meter);
}

} // namespace mlv::transfer
