#pragma once

#include <mlv/transfer/transfer.hpp>
#include <mlv/workspace/safety.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace mlv::workspace {

struct GetRequest {
  std::string repository; // a local git repository; empty: the one around the current folder
  std::string path;       // data path (or pointer path) inside it
  std::string revision = "HEAD";
  std::filesystem::path output;
  std::optional<std::string> remote; // default: the repository's default remote
  bool force = false;                // replace an existing output
  SafetyOptions safety;              // an unsafe file is refused unless these let it through
  unsigned jobs = 0;
  transfer::ProgressCallback progress;
};

struct GetResult {
  std::string id;
  std::uint64_t size = 0;
  std::string kind;
  transfer::Stats stats;
};

// `mlv get`: writes what PATH names at REVISION of a repository to OUTPUT, verified, reading the
// pointer from git without a checkout. Uses the current repository's cache when run inside the
// same repository, else a temporary cache beside the output that is removed afterwards. Data the
// safety scan finds unsafe is not written (Error(unsafe)) unless `safety` or the policy allow it.
GetResult get(const GetRequest& request);

} // namespace mlv::workspace
