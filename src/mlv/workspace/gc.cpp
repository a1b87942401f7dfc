#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/gc.hpp>
#include <mlv/workspace/sync.hpp>

#include <set>

namespace mlv::workspace {

namespace {

struct KeptIds {
  std::set<std::string> files;
  std::set<std::string> dirs;
};

KeptIds kept_ids(Context& context, const RevisionSelection& selection) {
  auto tracked = workspace_pointers(context, {});
  // A pointer gc cannot read may name objects that must be kept: nothing is deleted.
  context.finish();
  if (selection.any()) {
    auto historic = revision_pointers(context, selection, {});
    tracked.insert(tracked.end(), historic.begin(), historic.end());
  }
  KeptIds kept;
  auto& cache = context.cache();
  for (const auto& item : tracked) {
    if (item.pointer.kind == pointer::Kind::file) {
      kept.files.insert(item.pointer.sha256);
      continue;
    }
    kept.dirs.insert(item.pointer.sha256);
    if (const auto listing = cache.read_dir(item.pointer.sha256)) {
      for (const auto& entry : listing->entries) {
        kept.files.insert(entry.id);
      }
    }
  }
  return kept;
}

} // namespace

GcPlan plan_gc(Context& context, const RevisionSelection& selection) {
  const auto kept = kept_ids(context, selection);
  auto& cache = context.cache();
  GcPlan plan;
  for (const auto& id : cache.list_files()) {
    if (!kept.files.contains(id)) {
      plan.files.push_back(id);
      if (const auto stamp = util::stat_file(cache.file_path(id))) {
        plan.bytes += stamp->size;
      }
    }
  }
  for (const auto& id : cache.list_manifests()) {
    if (!kept.files.contains(id)) {
      plan.manifests.push_back(id);
    }
  }
  for (const auto& id : cache.list_dirs()) {
    if (!kept.dirs.contains(id)) {
      plan.dirs.push_back(id);
    }
  }
  return plan;
}

std::uint64_t apply_gc(Context& context, const GcPlan& plan) {
  auto& cache = context.cache();
  util::FileLock lock(cache.root() / "gc.lock");
  std::uint64_t freed = 0;
  for (const auto& id : plan.files) {
    freed += cache.remove_file(id);
  }
  for (const auto& id : plan.manifests) {
    cache.remove_manifest(id);
  }
  for (const auto& id : plan.dirs) {
    cache.remove_dir(id);
  }
  return freed;
}

RemoteGc plan_remote_gc(Context& context,
                        const RevisionSelection& selection,
                        const std::string& remote,
                        std::int64_t grace_seconds) {
  auto opened = open_remote(context.config(), remote);
  auto kept = kept_ids(context, selection);
  // A kept folder's files are kept too, whether its listing is cached or only on the remote.
  for (const auto& dir_id : kept.dirs) {
    try {
      for (const auto& entry :
           transfer::load_dir_listing(context.cache(), opened.handle(), dir_id).entries) {
        kept.files.insert(entry.id);
      }
    } catch (const Error& error) {
      if (error.code() != ExitCode::missing) {
        throw;
      }
    }
  }
  RemoteGc gc;
  gc.remote_name = opened.name;
  gc.remote_url = opened.url;
  gc.plan = transfer::plan_remote_gc(opened.handle(), kept.files, kept.dirs, grace_seconds,
                                     default_jobs(context.config()));
  return gc;
}

std::uint64_t apply_remote_gc(Context& context, const RemoteGc& gc) {
  auto opened = open_remote(context.config(), gc.remote_name);
  return transfer::apply_remote_gc(context.cache(), opened.handle(), gc.plan,
                                   default_jobs(context.config()));
}

} // namespace mlv::workspace
