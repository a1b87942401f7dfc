#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/config/config.hpp>
#include <mlv/git/repository.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlv::workspace {

// An mlv repository opened for one command: its git repository, merged configuration and cache.
class Context {
public:
  // Finds the git work tree containing `start` and requires `mlv init` to have run there;
  // otherwise Error(not_a_repository) with a hint.
  static Context open(const std::filesystem::path& start);

  git::Repository& git() noexcept { return *git_; }
  config::Config& config() noexcept { return *config_; }
  // Opens the cache (and its state database) on first use.
  cache::Cache& cache();
  const std::filesystem::path& root() const noexcept { return git_->work_dir(); }

  // Repository-relative '/'-separated form of a user-given path (relative to the current
  // folder); Error(bad_input) when it lies outside the work tree.
  std::string relative(const std::filesystem::path& user_path) const;
  std::filesystem::path absolute(const std::string& relative_path) const;

  // Serialises commands that change the workspace, the index or .gitignore files.
  std::unique_ptr<util::FileLock> lock_workspace();
  // The workspace lock if no other command holds it now, else nullptr.
  std::unique_ptr<util::FileLock> try_lock_workspace();

  // An error a command over many pointers puts off so that it can do the rest first (a pointer
  // it cannot read, e.g. one with merge conflict markers). A command that reads pointers calls
  // finish() when done: it throws what was put off, as one Error with the first one's code.
  void defer(Error error);
  void finish();

private:
  Context() = default;
  std::unique_ptr<git::Repository> git_;
  std::unique_ptr<config::Config> config_;
  std::unique_ptr<cache::Cache> cache_;
  std::vector<Error> deferred_;
};

// `mlv init`: creates .mlv/config and .mlv/.gitignore in the work tree containing `start`
// (idempotent) and returns the work tree root.
std::filesystem::path init(const std::filesystem::path& start);

} // namespace mlv::workspace
