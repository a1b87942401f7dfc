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
  std::uint64_t bytes = 0; // of the files and the temporaries
  // What interrupted commands left in the cache's tmp/, older than the grace period, and their
  // bytes; `temporaries_before_ns` is the grace period's start, checked again at removal.
  std::vector<cache::Cache::Temporary> temporaries;
  std::uint64_t temporary_bytes = 0;
  std::int64_t temporaries_before_ns = 0;
  std::vector<UnpushedModel> unpushed;
  std::string remote;       // the remote checked for `unpushed` (redacted URL); empty: none
  std::string remote_error; // why that remote could not be asked (then nothing counts as pushed)
  bool empty() const {
    return files.empty() && manifests.empty() && dirs.empty() && temporaries.empty();
  }
};

// How long a temporary in the cache's tmp/ is left alone by default (the `--grace` of gc): a
// younger one may belong to a command still running.
inline constexpr std::int64_t k_default_grace_seconds = 24 * 3600;

// The selection a gc keeps by default: the workspace plus every local branch tip, tag and stash
// entry, so no committed model is lost without being asked for.
RevisionSelection default_gc_selection();

// Objects that no kept pointer names. The workspace's pointers are always kept; `selection`
// adds the pointers of branches, tags, the stash or commits. Objects of branches, tags or stash
// entries that the selection leaves out are listed in `unpushed` unless the default remote
// holds them. Temporaries in the cache's tmp/ last modified more than `grace_seconds` ago are
// listed too.
GcPlan plan_gc(Context& context,
               const RevisionSelection& selection,
               std::int64_t grace_seconds = k_default_grace_seconds);

// The cache objects (files, manifests, dir listings) that none of `kept_pointers` names, with
// the bytes of the files; a kept folder keeps its listing and every file it lists.
GcPlan select_garbage(cache::Cache& cache, const std::vector<Tracked>& kept_pointers);

// Removes the planned objects and temporaries (those not modified since the plan), holding the
// cache's exclusive lock. Returns bytes freed.
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
