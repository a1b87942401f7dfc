#pragma once

#include <mlv/remote/object_store.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/checkout.hpp>
#include <mlv/workspace/tracked.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlv::workspace {

// A configured remote, opened.
struct OpenedRemote {
  std::string name;
  std::string url; // as resolved (relative folders made absolute), secrets redacted
  std::unique_ptr<remote::ObjectStore> store;
  transfer::RemoteHandle handle() { return {*store, url}; }
};

// Opens the remote `name` (or the default) of a configuration; a relative folder URL resolves
// against the repository root. `jobs` (0: core.jobs or the default) bounds a network backend's
// transfers in flight.
OpenedRemote open_remote(const config::Config& config,
                         const std::optional<std::string>& name,
                         unsigned jobs = 0);

// The `core.jobs` setting, or a default suited to the remote kind.
unsigned default_jobs(const config::Config& config);

struct SyncRequest {
  std::vector<std::string> targets;
  RevisionSelection revisions; // none: the workspace's pointers
  std::optional<std::string> remote;
  unsigned jobs = 0;          // 0: default_jobs
  bool verify_remote = false; // push: read and hash every pack the targets point into
  transfer::ProgressCallback progress;
};

// The pointers a request names: from the selected revisions, or else from the workspace.
std::vector<Tracked> select_tracked(Context& context, const SyncRequest& request);

transfer::Stats push(Context& context, const SyncRequest& request);

// Error(missing) naming, by pointer path, each of `tracked` whose id is in a fetch's
// Stats::missing (what the remote lacks), or nullopt when nothing is missing.
std::optional<Error> missing_on_remote(const std::vector<Tracked>& tracked,
                                       const std::map<std::string, std::string>& missing,
                                       const std::string& remote_url);

struct FetchResult {
  transfer::Stats stats;
  // Set when the remote lacked some targets: everything else was fetched; the caller reports
  // the summary, then this error.
  std::optional<Error> incomplete;
};
FetchResult fetch(Context& context, const SyncRequest& request);

struct PullResult {
  transfer::Stats stats;
  std::vector<CheckoutResult> checkout;
  std::optional<Error> incomplete; // as FetchResult::incomplete
};
// fetch, then checkout of the workspace's pointers among the targets (all that are available,
// when the remote lacks some).
PullResult pull(Context& context, const SyncRequest& request, const CheckoutOptions& options);

} // namespace mlv::workspace
