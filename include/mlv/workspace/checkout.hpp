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
};

struct CheckoutResult {
  std::string data_path;
  bool updated = false; // false: already matched the pointer
  std::string link;     // how it was placed ("copy", "reflink", ...) when updated
};

// Materialises each tracked path from the cache per `cache.type`. Content that is neither the
// pointer's version nor anything in the cache is never overwritten without `force`: those paths
// are left alone and reported after the others are done as Error(conflict). Objects missing
// from the cache are reported as Error(missing) naming the pointers and suggesting `mlv pull`.
// A file the safety scan finds unsafe is not written, unless the safety options or
// `safety.policy` let it through (SafetyGate); those files are reported first, as Error(unsafe).
std::vector<CheckoutResult>
checkout(Context& context, const std::vector<Tracked>& tracked, const CheckoutOptions& options);

} // namespace mlv::workspace
