#pragma once

#include <mlv/transfer/transfer.hpp>
#include <mlv/workspace/safety.hpp>
#include <mlv/workspace/tracked.hpp>

#include <string>
#include <vector>

namespace mlv::workspace {

struct CheckoutOptions {
  // Overwrite workspace content that exists nowhere else (not in the cache).
  bool force = false;
  SafetyOptions safety;
  transfer::ProgressCallback progress; // files and bytes done, as files are placed
  // Leave out, without an error, pointers whose data the cache lacks (pull, when its fetch
  // already reports them).
  bool skip_missing = false;
};

struct CheckoutResult {
  std::string data_path;
  bool updated = false; // false: already matched the pointer
  std::string link;     // how it was placed ("copy", "reflink", ...) when updated
};

// Materialises each tracked path from the cache per `cache.type` (a folder with its empty
// folders). Every change is planned first: content that is neither the pointer's version nor
// anything in the cache is never overwritten without `force`, and when any path would be, nothing
// is written and Error(conflict) names them all. A pointer whose `size`/`files` disagree with
// its data, or two pointers naming one path, are Error(bad_input), also before any write.
// Stale temporaries of an interrupted checkout beside the tracked files are removed. Objects
// missing from the cache are reported after the rest is done, as Error(missing) naming the
// pointers and suggesting `mlv pull`.
// A file the safety scan finds unsafe is not written, unless the safety options or
// `safety.policy` let it through (SafetyGate); those files are reported first, as Error(unsafe).
// Error(bad_input) naming every data path that more than one pointer names.
void check_distinct_data_paths(const std::vector<Tracked>& tracked);

// What checkout does to the workspace path `data` to give it cached file `id`: nothing (it holds
// those bytes already), write it, or refuse: it holds content the cache lacks, and not `force`.
enum class FilePlan { unchanged, write, conflict };
FilePlan plan_file_placement(cache::Cache& cache,
                             const std::filesystem::path& data,
                             const std::string& id,
                             bool force);

// Whether replacing what is at `path` would lose content that exists nowhere else: a file whose
// bytes the cache lacks, or a folder that is not empty.
bool would_lose_content(cache::Cache& cache, const std::filesystem::path& path);

std::vector<CheckoutResult>
checkout(Context& context, const std::vector<Tracked>& tracked, const CheckoutOptions& options);

} // namespace mlv::workspace
