#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct git_repository;

namespace mlv::git {

// A file found in a commit's tree.
struct TreeFile {
  std::string path; // repository-relative, '/'-separated
  std::string content;
};

// A thin libgit2 wrapper: every libgit2 error becomes an mlv::Error with a message that names
// what failed; nothing else in mlv sees a libgit2 code.
class Repository {
public:
  // Finds the repository containing `start` (searching upwards). Throws
  // Error(not_a_repository) with a hint to `git init` when there is none or it is bare.
  static Repository discover(const std::filesystem::path& start);
  // Opens the repository whose work tree or .git folder is exactly `path`.
  static Repository open(const std::filesystem::path& path);

  ~Repository();
  Repository(Repository&& other) noexcept;
  Repository& operator=(Repository&& other) noexcept;
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  // Absolute work-tree root, without a trailing slash.
  const std::filesystem::path& work_dir() const noexcept { return work_dir_; }

  // Adds work-tree files (repository-relative paths) to the index, as `git add` would.
  void stage(const std::vector<std::string>& paths);
  // Removes paths from the index (the files stay on disk), as `git rm --cached` would.
  void unstage(const std::vector<std::string>& paths);

  // Adds "/<name>" for `data_path` (repository-relative) to the .gitignore in its folder unless
  // git already ignores it; returns the repository-relative .gitignore path when it was changed.
  std::optional<std::string> ignore(const std::string& data_path);
  // Removes that entry again; returns the .gitignore path when it was changed.
  std::optional<std::string> unignore(const std::string& data_path);
  bool is_ignored(const std::string& path) const;

  // Resolves a revision (commit id, branch, tag, HEAD~2, ...) to a commit id (hex). Throws
  // Error(bad_input) naming the revision when it does not exist.
  std::string resolve_commit(const std::string& revision) const;
  std::optional<std::string> head_commit() const;  // nullopt on an unborn branch
  std::vector<std::string> branch_commits() const; // tips of local branches
  std::vector<std::string> tag_commits() const;    // commits that tags point to (peeled)
  std::vector<std::string> all_commits() const;    // every commit reachable from any ref

  // Files of a commit's tree whose names end with `suffix` (e.g. ".mlv"), read without a checkout.
  std::vector<TreeFile> files_with_suffix(const std::string& commit,
                                          const std::string& suffix) const;
  // One file of a commit's tree; nullopt when the path is not in it.
  std::optional<std::string> read_file(const std::string& commit, const std::string& path) const;

  // Commit metadata for messages and `mlv log` later.
  struct CommitInfo {
    std::string id;
    std::string summary;
    std::string author;
    std::int64_t time = 0;
  };
  CommitInfo commit_info(const std::string& commit) const;

private:
  explicit Repository(git_repository* repo);
  git_repository* repo_ = nullptr;
  std::filesystem::path work_dir_;
};

} // namespace mlv::git
