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

// The packs that these manifests (kind "manifests", by file id) or bundles (kind "bundles", by
// dir id) on the remote point into. One that vanished meanwhile names nothing; one that cannot be
// parsed stops the gc, since its packs cannot be known.
std::set<std::string> packs_named_by(RemoteHandle remote,
                                     const std::string& kind,
                                     const std::vector<std::string>& ids,
                                     unsigned jobs) {
  std::set<std::string> packs;
  std::mutex mutex;
  Meter meter({});
  in_parallel(ids, jobs, [&](const std::string& id) {
    const auto key = kind == "bundles" ? bundle_key(id) : manifest_key(id);
    std::string text;
    try {
      text = read_object(remote, key, meter);
    } catch (const Error& error) {
      if (error.kind() == Failure::not_found) {
        return;
      }
      throw;
    }
    const auto source = remote.store.display_url() + "/" + key;
    std::set<std::string> named;
    if (kind == "bundles") {
      for (const auto& manifest : parse_remote_bundle(text, source).manifests) {
        for (const auto& chunk : manifest.chunks) {
          named.insert(chunk.pack);
        }
      }
    } else {
      for (const auto& chunk : parse_remote_manifest(text, source).chunks) {
        named.insert(chunk.pack);
      }
    }
    const std::lock_guard lock(mutex);
    packs.merge(named);
  });
  return packs;
}

// The ids of objects of `kind` written since `listed_at` (or of unknown age).
std::vector<std::string>
written_since(RemoteHandle remote, const std::string& kind, std::int64_t listed_at) {
  std::vector<std::string> ids;
  for (const auto& [id, object] : list_kind(remote, kind)) {
    if (object.mtime == 0 || object.mtime >= listed_at - 1) {
      ids.push_back(id);
    }
  }
  return ids;
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
  const auto bundles = list_kind(remote, "bundles");
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
  std::set<std::string> surviving_dirs;
  for (const auto& [id, object] : dirs) {
    if (kept_dirs.contains(id)) {
      surviving_dirs.insert(id);
    } else if (is_recent(object)) {
      surviving_dirs.insert(id);
      ++plan.recent_kept;
    } else {
      plan.dirs.push_back(id);
    }
  }
  // A folder's bundle stays with its listing; one without a listing (a push cut short between
  // the two) goes once it is older than the grace period.
  std::vector<std::string> surviving_bundles;
  for (const auto& [id, object] : bundles) {
    if (kept_dirs.contains(id) || surviving_dirs.contains(id)) {
      surviving_bundles.push_back(id);
    } else if (is_recent(object)) {
      surviving_bundles.push_back(id);
      ++plan.recent_kept;
    } else {
      plan.bundles.push_back(id);
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
  auto needed = packs_named_by(remote, "manifests", surviving, jobs);
  needed.merge(packs_named_by(remote, "bundles", surviving_bundles, jobs));
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
  in_parallel(plan.bundles, jobs,
              [&](const std::string& id) { remote.store.remove(bundle_key(id)); });
  in_parallel(plan.manifests, jobs,
              [&](const std::string& id) { remote.store.remove(manifest_key(id)); });
  for (const auto& id : plan.manifests) {
    state.forget_remote_manifest(remote.state_key, id);
  }
  for (const auto& id : plan.bundles) {
    state.forget_remote_manifest(remote.state_key, bundle_record(id));
  }
  // A push that ran since the plan may have written a manifest or bundle pointing into an old
  // pack (one it knew from the state database): such packs stay.
  auto spared =
      packs_named_by(remote, "manifests", written_since(remote, "manifests", plan.listed_at), jobs);
  spared.merge(
      packs_named_by(remote, "bundles", written_since(remote, "bundles", plan.listed_at), jobs));
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
