#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
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

// A commit where one path's blob differs from the commit's first parent.
struct PathChange {
  std::string commit;
  std::optional<std::string> blob; // nullopt: the path was removed in this commit
};

// A reference (branch, stash entry) and a commit it keeps alive.
struct NamedCommit {
  std::string name; // short name: "main", "stash@{0}"
  std::string commit;
};

// A tag, peeled to the commit it names.
struct TagInfo {
  std::string name; // without refs/tags/
  std::string commit;
  bool annotated = false;
  std::string message; // annotated tags only
  std::string tagger;  // annotated tags only
  std::string tagger_email;
  std::int64_t time = 0; // tagging time (annotated), else the commit's time
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
  // The index entries (repository-relative, sorted, each once) that are one of `paths` or lie
  // below one of them: what git tracks there.
  std::vector<std::string> indexed_under(const std::vector<std::string>& paths) const;

  // Adds "/<name>" for `data_path` (repository-relative) to the .gitignore in its folder unless
  // git already ignores it; returns the repository-relative .gitignore path when it was changed.
  std::optional<std::string> ignore(const std::string& data_path);
  // Removes that entry again (and the file, when nothing else is left in it); returns the
  // .gitignore path when it was changed.
  std::optional<std::string> unignore(const std::string& data_path);
  bool is_ignored(const std::string& path) const;

  // Resolves a revision (commit id, branch, tag, HEAD~2, ...) to a commit id (hex). Throws
  // Error(bad_input) naming the revision when it does not exist.
  std::string resolve_commit(const std::string& revision) const;
  std::optional<std::string> head_commit() const;  // nullopt on an unborn branch
  std::vector<std::string> branch_commits() const; // tips of local branches
  std::vector<NamedCommit> branches() const;       // local branches and their tips, by name
  // Commits the stash keeps: each entry's work-tree commit and its index and untracked-files
  // commits, named "stash@{N}". Empty when nothing is stashed.
  std::vector<NamedCommit> stash_commits() const;
  std::vector<std::string> tag_commits() const; // commits that tags point to (peeled)
  std::vector<std::string> all_commits() const; // every commit reachable from any ref

  // Files of a commit's tree whose names end with `suffix` (e.g. ".mlv"), read without a checkout.
  std::vector<TreeFile> files_with_suffix(const std::string& commit,
                                          const std::string& suffix) const;
  // One file of a commit's tree; nullopt when the path is not in it.
  std::optional<std::string> read_file(const std::string& commit, const std::string& path) const;

  // Commit metadata for messages and `mlv log`.
  struct CommitInfo {
    std::string id;
    std::string summary;
    std::string author;
    std::string author_email;
    std::int64_t author_time = 0; // seconds since the epoch, as `git log` shows
    std::int64_t time = 0;        // commit time, seconds since the epoch
  };
  CommitInfo commit_info(const std::string& commit) const;

  // History of one path (history.cpp).
  // The content of a blob, by its id.
  std::string read_blob(const std::string& blob_id) const;
  // The commits on `start`'s first-parent line (a branch's own history, merges entered from
  // their first parent) where the file at `path` differs from the first parent: added, changed
  // or removed. Newest first.
  std::vector<PathChange> path_changes(const std::string& start, const std::string& path) const;
  // Whether `ancestor` is `descendant` or one of its ancestors.
  bool is_ancestor(const std::string& ancestor, const std::string& descendant) const;

  // Tags (tags.cpp). Every tag whose short name (without refs/tags/) passes `wanted`, peeled to
  // its commit; tags on objects other than commits are left out.
  std::vector<TagInfo> tags(const std::function<bool(const std::string&)>& wanted) const;
  std::optional<TagInfo> find_tag(const std::string& name) const;
  // Creates the annotated tag `name` on `commit`, signed by the git identity (GIT_COMMITTER_NAME
  // and GIT_COMMITTER_EMAIL, else user.name and user.email, as git does). Error(conflict) when
  // the tag exists, Error(bad_input) for an invalid name or a missing identity.
  TagInfo
  create_tag(const std::string& name, const std::string& commit, const std::string& message);
  // Whether `name` is a valid tag name for git (refs/tags/<name> is a valid reference name).
  static bool is_valid_tag_name(const std::string& name);

private:
  explicit Repository(git_repository* repo);
  git_repository* repo_ = nullptr;
  std::filesystem::path work_dir_;
};

} // namespace mlv::git
