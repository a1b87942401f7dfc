#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/gc.hpp>
#include <mlv/workspace/sync.hpp>

#include <chrono>
#include <map>
#include <set>

namespace mlv::workspace {

namespace {

struct KeptIds {
  std::set<std::string> files;
  std::set<std::string> dirs;
};

KeptIds kept_by(cache::Cache& cache, const std::vector<Tracked>& tracked) {
  KeptIds kept;
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

// The pointers whose objects gc keeps: the workspace's, and those of `selection`.
std::vector<Tracked> kept_pointers(Context& context, const RevisionSelection& selection) {
  auto tracked = workspace_pointers(context, {});
  // A pointer gc cannot read may name objects that must be kept: nothing is deleted.
  context.finish();
  if (selection.any()) {
    auto historic = revision_pointers(context, selection, {});
    tracked.insert(tracked.end(), historic.begin(), historic.end());
  }
  return tracked;
}

KeptIds kept_ids(Context& context, const RevisionSelection& selection) {
  return kept_by(context.cache(), kept_pointers(context, selection));
}

struct NamedRef {
  std::string label; // "branch exp", "tag v2", "stash@{0}"
  std::string commit;
};

// The branches, tags and stash entries whose pointers `selection` does not keep.
std::vector<NamedRef> refs_left_out(Context& context, const RevisionSelection& selection) {
  auto& git = context.git();
  std::vector<NamedRef> refs;
  if (!selection.all_branches && !selection.all_commits) {
    for (const auto& branch : git.branches()) {
      refs.push_back({"branch " + branch.name, branch.commit});
    }
  }
  if (!selection.all_tags && !selection.all_commits) {
    for (const auto& tag : git.tags([](const std::string&) { return true; })) {
      refs.push_back({"tag " + tag.name, tag.commit});
    }
  }
  // Older stash entries live in the stash's reflog, which --all-commits does not walk.
  if (!selection.stash) {
    for (const auto& stashed : git.stash_commits()) {
      refs.push_back({stashed.name, stashed.commit});
    }
  }
  return refs;
}

bool would_remove(cache::Cache& cache,
                  const pointer::Pointer& pointer,
                  const std::set<std::string>& files,
                  const std::set<std::string>& dirs) {
  if (pointer.kind == pointer::Kind::file) {
    return files.contains(pointer.sha256);
  }
  if (dirs.contains(pointer.sha256)) {
    return true;
  }
  if (const auto listing = cache.read_dir(pointer.sha256)) {
    for (const auto& entry : listing->entries) {
      if (files.contains(entry.id)) {
        return true;
      }
    }
  }
  return false;
}

// Models of the refs left out whose objects the plan removes, one per (path, id).
std::vector<UnpushedModel>
models_at_risk(Context& context, const RevisionSelection& selection, const GcPlan& plan) {
  const std::set<std::string> files(plan.files.begin(), plan.files.end());
  const std::set<std::string> dirs(plan.dirs.begin(), plan.dirs.end());
  std::map<std::pair<std::string, std::string>, UnpushedModel> found;
  for (const auto& ref : refs_left_out(context, selection)) {
    for (const auto& file :
         context.git().files_with_suffix(ref.commit, std::string(pointer::k_suffix))) {
      pointer::Pointer parsed;
      try {
        parsed = pointer::parse_pointer(file.content, file.path + " at " + ref.label);
      } catch (const Error&) {
        continue; // a malformed pointer names no object that gc could remove
      }
      if (!would_remove(context.cache(), parsed, files, dirs)) {
        continue;
      }
      const auto data_path = data_path_for(file.path, parsed);
      auto& model = found[{data_path, parsed.sha256}];
      model.path = data_path;
      model.id = parsed.sha256;
      model.kind = parsed.kind;
      if (model.refs.empty() || model.refs.back() != ref.label) {
        model.refs.push_back(ref.label);
      }
    }
  }
  std::vector<UnpushedModel> models;
  for (auto& [key, model] : found) {
    models.push_back(std::move(model));
  }
  return models;
}

// Keeps only the models the default remote lacks. The remote itself is asked, not the state
// database's record of it: a stale record (a remote folder deleted or recreated since) must not
// let gc delete the only copy. Without a usable remote, nothing counts as pushed.
void keep_unpushed(Context& context, GcPlan& plan, std::vector<UnpushedModel> models) {
  std::set<std::string> pushed;
  try {
    auto opened = open_remote(context.config(), std::nullopt);
    plan.remote = opened.url;
    for (const auto& model : models) {
      const auto key = model.kind == pointer::Kind::dir ? transfer::dir_key(model.id)
                                                        : transfer::manifest_key(model.id);
      if (opened.store->exists(key)) {
        pushed.insert(model.id);
      }
    }
  } catch (const Error& error) {
    plan.remote_error = error.what();
    pushed.clear();
  }
  for (auto& model : models) {
    if (!pushed.contains(model.id)) {
      plan.unpushed.push_back(std::move(model));
    }
  }
}

} // namespace

RevisionSelection default_gc_selection() {
  RevisionSelection selection;
  selection.all_branches = true;
  selection.all_tags = true;
  selection.stash = true;
  return selection;
}

GcPlan select_garbage(cache::Cache& cache, const std::vector<Tracked>& kept_pointers) {
  const auto kept = kept_by(cache, kept_pointers);
  GcPlan plan;
  for (const auto& id : cache.list_files()) {
    if (!kept.files.contains(id)) {
      plan.files.push_back(id);
      if (const auto info = cache.env().lstat(cache.file_path(id))) {
        plan.bytes += info->size;
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

GcPlan plan_gc(Context& context, const RevisionSelection& selection, std::int64_t grace_seconds) {
  auto plan = select_garbage(context.cache(), kept_pointers(context, selection));
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  plan.temporaries_before_ns = now_ns - grace_seconds * 1'000'000'000;
  plan.temporaries = context.cache().old_temporaries(plan.temporaries_before_ns);
  for (const auto& temporary : plan.temporaries) {
    plan.temporary_bytes += temporary.size;
  }
  plan.bytes += plan.temporary_bytes;
  if (!plan.files.empty() || !plan.dirs.empty()) {
    auto models = models_at_risk(context, selection, plan);
    if (!models.empty()) {
      keep_unpushed(context, plan, std::move(models));
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
  for (const auto& temporary : plan.temporaries) {
    freed += cache.remove_temporary(temporary, plan.temporaries_before_ns);
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
      if (error.kind() != Failure::not_found) {
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
