#include <mlv/util/fs.hpp>
#include <mlv/workspace/gc.hpp>

#include <set>

namespace mlv::workspace {

namespace {

struct KeptIds {
  std::set<std::string> files;
  std::set<std::string> dirs;
};

KeptIds kept_ids(Context& context, const RevisionSelection& selection) {
  auto tracked = workspace_pointers(context, {});
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

} // namespace mlv::workspace
