#pragma once

#include <mlv/transfer/transfer.hpp>
#include <mlv/workspace/tracked.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlv::workspace {

struct VerifyProblem {
  enum class Kind { mismatch, missing };
  Kind kind = Kind::mismatch;
  std::string subject; // a cache object path or a workspace path
  std::string detail;
};

struct VerifyReport {
  std::uint64_t cache_objects_checked = 0;
  std::uint64_t workspace_files_checked = 0;
  std::uint64_t bytes_hashed = 0;
  std::vector<VerifyProblem> problems;
};

// Re-hashes, trusting nothing recorded: every cache object the pointers need (files and dir
// listings) and every workspace file they describe that is present. `progress`, when set, hears
// the files checked (a tracked file, or a file of a tracked folder: its cache object and its
// workspace copy) and the bytes hashed, planned first from the listings and folder entries.
VerifyReport verify(Context& context,
                    const std::vector<Tracked>& tracked,
                    const transfer::ProgressCallback& progress = {});

} // namespace mlv::workspace
