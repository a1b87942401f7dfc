#pragma once

#include <mlv/transfer/transfer.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace mlv::transfer {

// What `mlv gc --remote` would delete from a remote.
struct RemoteGcPlan {
  std::vector<std::string> manifests;    // file ids
  std::vector<std::string> dirs;         // dir ids
  std::vector<std::string> bundles;      // dir ids of folder bundles
  std::vector<std::string> packs;        // pack ids
  std::vector<std::uint64_t> pack_sizes; // bytes of each of `packs`
  // Keys under tmp/: partial objects of interrupted writes (a folder remote writes each object
  // there first, then renames it into place).
  std::vector<std::string> temporaries;
  std::uint64_t temporary_bytes = 0;
  std::uint64_t bytes = 0;       // pack and temporary bytes freed
  std::uint64_t recent_kept = 0; // unreferenced objects spared by the grace period
  std::int64_t listed_at = 0;    // when the remote was listed, seconds since the epoch
  bool empty() const {
    return manifests.empty() && dirs.empty() && bundles.empty() && packs.empty() &&
           temporaries.empty();
  }
};

// Plans the removal of every manifest and dir listing that no kept id names, every folder bundle
// whose listing goes (or never came), every pack that no kept manifest or bundle points into, and
// every temporary object under tmp/. Objects written less than
// `grace_seconds` ago are kept whatever names them: a push in progress elsewhere writes packs
// before the manifests that need them, and a teammate may push data before the git commits that
// name it.
RemoteGcPlan plan_remote_gc(RemoteHandle remote,
                            const std::set<std::string>& kept_files,
                            const std::set<std::string>& kept_dirs,
                            std::int64_t grace_seconds,
                            unsigned jobs);

// Deletes dir listings, bundles and manifests first (so no file is ever described by a manifest
// whose packs are gone), then lists manifests and bundles again and spares every pack that one
// written since the plan points into, then deletes the packs. Updates the state database. Returns
// the pack bytes freed.
std::uint64_t
apply_remote_gc(cache::Cache& cache, RemoteHandle remote, const RemoteGcPlan& plan, unsigned jobs);

} // namespace mlv::transfer
