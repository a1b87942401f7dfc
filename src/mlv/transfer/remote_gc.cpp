#include "layout.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/remote_gc.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/task_pool.hpp>

#include <chrono>
#include <map>
#include <mutex>

namespace mlv::transfer {

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Objects of one kind ("manifests/", ...) by id, from a listing; keys that are not
// "<kind>/<2 hex>/<id>" (a stray file someone left) are not mlv's and are never touched.
std::map<std::string, remote::ObjectInfo> list_kind(RemoteHandle remote, const std::string& kind) {
  std::map<std::string, remote::ObjectInfo> objects;
  for (auto& object : remote.store.list(kind + "/")) {
    if (auto id = id_of_key(kind, object.key)) {
      objects.emplace(std::move(*id), std::move(object));
    }
  }
  return objects;
}

// Runs `action(id)` for every id on `jobs` threads; rethrows the first failure.
template <typename Action>
void in_parallel(const std::vector<std::string>& ids, unsigned jobs, Action action) {
  util::TaskPool pool(jobs, jobs * 4);
  for (const auto& id : ids) {
    pool.submit([&, id] { action(id); });
  }
  pool.wait();
}

// The packs that these manifests on the remote point into. A manifest that vanished meanwhile
// names nothing; one that cannot be parsed stops the gc, since its packs cannot be known.
std::set<std::string>
packs_named_by(RemoteHandle remote, const std::vector<std::string>& file_ids, unsigned jobs) {
  std::set<std::string> packs;
  std::mutex mutex;
  Meter meter({});
  in_parallel(file_ids, jobs, [&](const std::string& id) {
    std::string text;
    try {
      text = read_object(remote, manifest_key(id), meter);
    } catch (const Error& error) {
      if (error.kind() == Failure::not_found) {
        return;
      }
      throw;
    }
    const auto manifest =
        parse_remote_manifest(text, remote.store.display_url() + "/" + manifest_key(id));
    const std::lock_guard lock(mutex);
    for (const auto& chunk : manifest.chunks) {
      packs.insert(chunk.pack);
    }
  });
  return packs;
}

} // namespace

RemoteGcPlan plan_remote_gc(RemoteHandle remote,
                            const std::set<std::string>& kept_files,
                            const std::set<std::string>& kept_dirs,
                            std::int64_t grace_seconds,
                            unsigned jobs) {
  RemoteGcPlan plan;
  plan.listed_at = now_seconds();
  const auto cutoff = plan.listed_at - grace_seconds;
  // An object of unknown age (mtime 0) counts as recent: never delete what might be in use.
  const auto is_recent = [&](const remote::ObjectInfo& object) {
    return object.mtime == 0 || object.mtime > cutoff;
  };
  const auto manifests = list_kind(remote, "manifests");
  const auto dirs = list_kind(remote, "dirs");
  const auto packs = list_kind(remote, "packs");

  std::vector<std::string> surviving; // manifests that stay, whose packs stay
  for (const auto& [id, object] : manifests) {
    if (kept_files.contains(id)) {
      surviving.push_back(id);
    } else if (is_recent(object)) {
      surviving.push_back(id);
      ++plan.recent_kept;
    } else {
      plan.manifests.push_back(id);
    }
  }
  for (const auto& [id, object] : dirs) {
    if (kept_dirs.contains(id)) {
      continue;
    }
    if (is_recent(object)) {
      ++plan.recent_kept;
    } else {
      plan.dirs.push_back(id);
    }
  }
  // What an interrupted push left in tmp/ is no object of the layout: nothing names it. A write
  // in progress elsewhere is younger than the grace period.
  for (const auto& object : remote.store.list("tmp/")) {
    if (is_recent(object)) {
      ++plan.recent_kept;
    } else {
      plan.temporaries.push_back(object.key);
      plan.temporary_bytes += object.size;
      plan.bytes += object.size;
    }
  }
  const auto needed = packs_named_by(remote, surviving, jobs);
  for (const auto& [id, object] : packs) {
    if (needed.contains(id)) {
      continue;
    }
    if (is_recent(object)) {
      ++plan.recent_kept;
    } else {
      plan.packs.push_back(id);
      plan.pack_sizes.push_back(object.size);
      plan.bytes += object.size;
    }
  }
  return plan;
}

std::uint64_t
apply_remote_gc(cache::Cache& cache, RemoteHandle remote, const RemoteGcPlan& plan, unsigned jobs) {
  auto& state = cache.state();
  in_parallel(plan.dirs, jobs, [&](const std::string& id) { remote.store.remove(dir_key(id)); });
  in_parallel(plan.manifests, jobs,
              [&](const std::string& id) { remote.store.remove(manifest_key(id)); });
  for (const auto& id : plan.manifests) {
    state.forget_remote_manifest(remote.state_key, id);
  }
  // A push that ran since the plan may have written a manifest pointing into an old pack (one it
  // knew from the state database): such packs stay.
  std::vector<std::string> new_manifests;
  for (const auto& [id, object] : list_kind(remote, "manifests")) {
    if (object.mtime == 0 || object.mtime >= plan.listed_at - 1) {
      new_manifests.push_back(id);
    }
  }
  const auto spared = packs_named_by(remote, new_manifests, jobs);
  std::vector<std::string> packs;
  std::uint64_t freed = 0;
  for (std::size_t i = 0; i < plan.packs.size(); ++i) {
    if (!spared.contains(plan.packs[i])) {
      packs.push_back(plan.packs[i]);
      freed += plan.pack_sizes[i];
    }
  }
  in_parallel(packs, jobs, [&](const std::string& id) { remote.store.remove(pack_key(id)); });
  state.forget_remote_packs(remote.state_key, packs);
  in_parallel(plan.temporaries, jobs, [&](const std::string& key) { remote.store.remove(key); });
  freed += plan.temporary_bytes;
  return freed;
}

} // namespace mlv::transfer
