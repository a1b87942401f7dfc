#pragma once

#include <mlv/transfer/remote_gc.hpp>
#include <mlv/workspace/tracked.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlv::workspace {

// What a cache gc would remove.
struct GcPlan {
  std::vector<std::string> files;
  std::vector<std::string> manifests;
  std::vector<std::string> dirs;
  std::uint64_t bytes = 0;
  bool empty() const { return files.empty() && manifests.empty() && dirs.empty(); }
};

// Objects that no kept pointer names. The workspace's pointers are always kept; `selection`
// adds the pointers of branches, tags or commits.
GcPlan plan_gc(Context& context, const RevisionSelection& selection);

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
