#pragma once

#include <mlv/transfer/remote_gc.hpp>
#include <mlv/workspace/tracked.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlv::workspace {

// A model that a local branch, tag or stash entry names, that a cache gc would delete, and that
// the default remote does not hold: the cache may have its only copy.
struct UnpushedModel {
  std::string path; // the data path, repository-relative
  std::string id;
  pointer::Kind kind = pointer::Kind::file;
  std::vector<std::string> refs; // "branch exp", "tag v2", "stash@{0}"
};

// What a cache gc would remove.
struct GcPlan {
  std::vector<std::string> files;
  std::vector<std::string> manifests;
  std::vector<std::string> dirs;
  std::uint64_t bytes = 0;
  std::vector<UnpushedModel> unpushed;
  std::string remote;       // the remote checked for `unpushed` (redacted URL); empty: none
  std::string remote_error; // why that remote could not be asked (then nothing counts as pushed)
  bool empty() const { return files.empty() && manifests.empty() && dirs.empty(); }
};

// The selection a gc keeps by default: the workspace plus every local branch tip, tag and stash
// entry, so no committed model is lost without being asked for.
RevisionSelection default_gc_selection();

// Objects that no kept pointer names. The workspace's pointers are always kept; `selection`
// adds the pointers of branches, tags, the stash or commits. Objects of branches, tags or stash
// entries that the selection leaves out are listed in `unpushed` unless the default remote
// holds them.
GcPlan plan_gc(Context& context, const RevisionSelection& selection);

// The cache objects (files, manifests, dir listings) that none of `kept_pointers` names, with
// the bytes of the files; a kept folder keeps its listing and every file it lists.
GcPlan select_garbage(cache::Cache& cache, const std::vector<Tracked>& kept_pointers);

// Removes the planned objects, holding the cache's exclusive lock. Returns bytes freed.
std::uint64_t apply_gc(Context& context, const GcPlan& plan);

// The same selection applied to a remote: manifests, dir listings and packs that no kept pointer
// needs and that are older than `grace_seconds`.
struct RemoteGc {
  std::string remote_name;
  std::string remote_url; // redacted
  transfer::RemoteGcPlan plan;
};
RemoteGc plan_remote_gc(Context& context,
                        const RevisionSelection& selection,
                        const std::string& remote,
                        std::int64_t grace_seconds);
std::uint64_t apply_remote_gc(Context& context, const RemoteGc& gc);

} // namespace mlv::workspace
