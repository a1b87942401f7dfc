#pragma once

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

} // namespace mlv::workspace
