#include "layout.hpp"

#include <mlv/transfer/transfer.hpp>
#include <mlv/util/task_pool.hpp>

#include <map>
#include <mutex>

namespace mlv::transfer {

namespace {

// A listing page holds up to 1,000 keys on every object store, so a prefix with fewer keys than
// that is listed in one request: cheaper than one HEAD per id when two or more ids share it.
constexpr std::size_t k_list_page = 1000;

} // namespace

std::set<std::string> present_on_remote(cache::Cache& cache,
                                        RemoteHandle remote,
                                        const std::set<std::string>& file_ids,
                                        const std::set<std::string>& dir_ids,
                                        unsigned jobs) {
  auto& state = cache.state();
  std::set<std::string> present;
  // Ids the state database does not know yet, by key prefix ("manifests/ab/").
  std::map<std::string, std::vector<std::string>> unknown;
  for (const auto& id : file_ids) {
    if (state.remote_has_manifest(remote.state_key, id)) {
      present.insert(id);
    } else {
      const auto key = manifest_key(id);
      unknown[key.substr(0, key.rfind('/') + 1)].push_back(id);
    }
  }
  for (const auto& id : dir_ids) {
    const auto key = dir_key(id);
    unknown[key.substr(0, key.rfind('/') + 1)].push_back(id);
  }
  std::mutex mutex;
  bool prefixes_are_large = false; // seen a prefix of more than a page: HEADs are cheaper
  util::TaskPool pool(jobs, jobs * 4);
  for (const auto& [prefix, ids] : unknown) {
    const bool is_manifest = prefix.starts_with("manifests/");
    pool.submit([&, prefix, ids, is_manifest] {
      bool list = ids.size() >= 2;
      {
        const std::lock_guard lock(mutex);
        list = list && !prefixes_are_large;
      }
      if (list) {
        const auto listed = remote.store.list(prefix);
        std::set<std::string> held;
        for (const auto& object : listed) {
          if (auto id = id_of_key(is_manifest ? "manifests" : "dirs", object.key)) {
            held.insert(std::move(*id));
          }
        }
        const std::lock_guard lock(mutex);
        prefixes_are_large = prefixes_are_large || listed.size() > k_list_page;
        for (const auto& id : held) {
          // Everything listed is remembered, not only what was asked: later pushes skip it.
          if (is_manifest) {
            state.record_remote_manifest(remote.state_key, id);
          }
        }
        for (const auto& id : ids) {
          if (held.contains(id)) {
            present.insert(id);
          }
        }
        return;
      }
      for (const auto& id : ids) {
        if (remote.store.exists(is_manifest ? manifest_key(id) : dir_key(id))) {
          const std::lock_guard lock(mutex);
          if (is_manifest) {
            state.record_remote_manifest(remote.state_key, id);
          }
          present.insert(id);
        }
      }
    });
  }
  pool.wait();
  return present;
}

} // namespace mlv::transfer
