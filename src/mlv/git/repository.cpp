#include "libgit2_support.hpp"

#include <mlv/git/repository.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <git2.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <utility>

namespace mlv::git {

namespace {

namespace fs = std::filesystem;
using namespace detail;

// The "/name" line that ignores exactly one entry of a folder: glob characters and a trailing
// space are escaped so that "model[1].bin" matches itself and not "model1.bin".
std::string ignore_line(const std::string& data_path) {
  const auto name = fs::path(data_path).filename().string();
  if (name.find_first_of("\n\r") != std::string::npos) {
    throw Error(Failure::invalid_input,
                "cannot add '" + data_path + "' to a .gitignore: its name contains a line break",
                "rename the file");
  }
  std::string line = "/";
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool trailing_space = c == ' ' && name.find_first_not_of(' ', i) == std::string::npos;
    if (c == '\\' || c == '*' || c == '?' || c == '[' || trailing_space) {
      line += '\\';
    }
    line += c;
  }
  return line;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back(); // a .gitignore written on Windows
    }
    lines.push_back(line);
  }
  return lines;
}

struct WalkState {
  git_repository* repo;
  std::string suffix;
  std::vector<TreeFile>* files;
};

int collect_matching(const char* root, const git_tree_entry* entry, void* payload) {
  auto* state = static_cast<WalkState*>(payload);
  // A symbolic link's blob is its target's name, not a file's content.
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
      git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
    return 0;
  }
  const std::string name = git_tree_entry_name(entry);
  if (name.size() <= state->suffix.size() || !name.ends_with(state->suffix)) {
    return 0;
  }
  Blob blob;
  if (git_blob_lookup(blob.out(), state->repo, git_tree_entry_id(entry)) < 0) {
    return -1;
  }
  state->files->push_back({std::string(root) + name, blob_text(blob.get())});
  return 0;
}

// As git does for a branch that exists only on a remote (e.g. `exp` in a fresh clone).
bool resolve_remote_branch(git_repository* repo_, const std::string& name, Object& object) {
  git_strarray remotes{};
  if (git_remote_list(&remotes, repo_) < 0) {
    return false;
  }
  bool found = false;
  for (std::size_t i = 0; i < remotes.count && !found; ++i) {
    const auto candidate = std::string("refs/remotes/") + remotes.strings[i] + "/" + name;
    found = git_revparse_single(object.out(), repo_, candidate.c_str()) == 0;
  }
  git_strarray_dispose(&remotes);
  return found;
}

} // namespace

Repository::Repository(git_repository* repo) : repo_(repo) {
  const char* workdir = git_repository_workdir(repo_);
  auto path = fs::path(workdir).lexically_normal();
  if (!path.has_filename()) {
    path = path.parent_path();
  }
  work_dir_ = path;
}

Repository Repository::discover(const fs::path& start) {
  ensure_initialised();
  git_buf found = GIT_BUF_INIT;
  const auto absolute = fs::absolute(start);
  if (git_repository_discover(&found, absolute.c_str(), 0, nullptr) < 0) {
    throw Error(Failure::not_a_repository, "not inside a git repository: " + absolute.string(),
                "run mlv inside a git work tree (`git init` creates one)");
  }
  git_repository* repo = nullptr;
  const int result = git_repository_open(&repo, found.ptr);
  git_buf_dispose(&found);
  check(result, "open repository");
  if (git_repository_is_bare(repo)) {
    git_repository_free(repo);
    throw Error(Failure::not_a_repository,
                "the git repository at " + absolute.string() + " is bare",
                "mlv needs a work tree; use a clone with a checkout");
  }
  return Repository(repo);
}

Repository Repository::open(const fs::path& path) {
  ensure_initialised();
  git_repository* repo = nullptr;
  if (git_repository_open(&repo, path.c_str()) < 0) {
    throw Error(Failure::not_a_repository, "not a git repository: " + path.string(),
                "give the folder of a git work tree");
  }
  if (git_repository_is_bare(repo)) {
    git_repository_free(repo);
    throw Error(Failure::not_a_repository, "the git repository at " + path.string() + " is bare",
                "mlv needs a work tree; use a clone with a checkout");
  }
  return Repository(repo);
}

Repository::~Repository() {
  if (repo_ != nullptr) {
    git_repository_free(repo_);
  }
}

Repository::Repository(Repository&& other) noexcept
    : repo_(std::exchange(other.repo_, nullptr)), work_dir_(std::move(other.work_dir_)) {}

Repository& Repository::operator=(Repository&& other) noexcept {
  std::swap(repo_, other.repo_);
  std::swap(work_dir_, other.work_dir_);
  return *this;
}

void Repository::stage(const std::vector<std::string>& paths) {
  Index index;
  check(git_repository_index(index.out(), repo_), "open the index");
  for (const auto& path : paths) {
    if (fs::exists(work_dir_ / path)) {
      check(git_index_add_bypath(index.get(), path.c_str()), "stage " + path);
    } else {
      check(git_index_remove_bypath(index.get(), path.c_str()), "stage the removal of " + path);
    }
  }
  check(git_index_write(index.get()), "write the index");
}

void Repository::unstage(const std::vector<std::string>& paths) {
  Index index;
  check(git_repository_index(index.out(), repo_), "open the index");
  for (const auto& path : paths) {
    check(git_index_remove_bypath(index.get(), path.c_str()), "remove " + path + " from the index");
  }
  check(git_index_write(index.get()), "write the index");
}

std::vector<std::string> Repository::indexed_under(const std::vector<std::string>& paths) const {
  const std::set<std::string> wanted(paths.begin(), paths.end());
  Index index;
  check(git_repository_index(index.out(), repo_), "open the index");
  std::vector<std::string> found;
  const auto count = git_index_entrycount(index.get());
  for (std::size_t i = 0; i < count; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    if (entry == nullptr) {
      continue;
    }
    // The entry itself, or one of the folders it lies in, is wanted.
    for (auto path = fs::path(entry->path); !path.empty(); path = path.parent_path()) {
      if (wanted.contains(path.generic_string())) {
        found.emplace_back(entry->path);
        break;
      }
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

bool Repository::is_ignored(const std::string& path) const {
  int ignored = 0;
  check(git_ignore_path_is_ignored(&ignored, repo_, path.c_str()),
        "check whether " + path + " is ignored");
  return ignored == 1;
}

std::optional<std::string> Repository::ignore(const std::string& data_path) {
  if (is_ignored(data_path)) {
    return std::nullopt;
  }
  const auto folder = fs::path(data_path).parent_path();
  const auto gitignore = (folder / ".gitignore").generic_string();
  const auto file = work_dir_ / gitignore;
  std::string content = fs::exists(file) ? util::read_file(file) : std::string();
  if (!content.empty() && content.back() != '\n') {
    content += '\n';
  }
  content += ignore_line(data_path) + "\n";
  util::write_file_atomic(file, content);
  return gitignore;
}

std::optional<std::string> Repository::unignore(const std::string& data_path) {
  const auto gitignore = (fs::path(data_path).parent_path() / ".gitignore").generic_string();
  const auto file = work_dir_ / gitignore;
  if (!fs::exists(file)) {
    return std::nullopt;
  }
  const auto line = ignore_line(data_path);
  std::string kept;
  bool removed = false;
  for (const auto& existing : lines_of(util::read_file(file))) {
    if (existing == line) {
      removed = true;
    } else {
      kept += existing + "\n";
    }
  }
  if (!removed) {
    return std::nullopt;
  }
  if (kept.empty()) {
    // Only mlv's lines were in it: an empty file left behind would end up in a folder's listing.
    util::remove_file(file);
  } else {
    util::write_file_atomic(file, kept);
  }
  return gitignore;
}

std::string Repository::resolve_commit(const std::string& revision) const {
  Object object;
  if (git_revparse_single(object.out(), repo_, revision.c_str()) < 0 &&
      !resolve_remote_branch(repo_, revision, object)) {
    throw Error(
        Failure::invalid_input, "unknown revision '" + revision + "'",
        "give a commit id, branch or tag that exists in this repository (`git log --oneline`)");
  }
  Object commit;
  if (git_object_peel(commit.out(), object.get(), GIT_OBJECT_COMMIT) < 0) {
    throw Error(Failure::invalid_input, "revision '" + revision + "' does not name a commit",
                "give a commit id, branch or tag that points to a commit");
  }
  return oid_hex(git_object_id(commit.get()));
}

std::optional<std::string> Repository::head_commit() const {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo_, "HEAD") < 0) {
    return std::nullopt;
  }
  return oid_hex(&oid);
}

namespace {

// References matching `glob` with the commits they point to (annotated tags peeled), by name.
std::vector<NamedCommit> named_reference_commits(git_repository* repo, const char* glob) {
  std::vector<NamedCommit> named;
  ReferenceIterator iterator;
  check(git_reference_iterator_glob_new(iterator.out(), repo, glob), "list references");
  git_reference* reference = nullptr;
  while (git_reference_next(&reference, iterator.get()) == 0) {
    Object commit;
    if (git_reference_peel(commit.out(), reference, GIT_OBJECT_COMMIT) == 0) {
      named.push_back({git_reference_shorthand(reference), oid_hex(git_object_id(commit.get()))});
    }
    git_reference_free(reference);
  }
  std::sort(named.begin(), named.end(),
            [](const NamedCommit& a, const NamedCommit& b) { return a.name < b.name; });
  return named;
}

// Commits that references under `prefix` point to (annotated tags peeled).
std::vector<std::string> reference_commits(git_repository* repo, const char* glob) {
  std::vector<std::string> commits;
  for (auto& named : named_reference_commits(repo, glob)) {
    commits.push_back(std::move(named.commit));
  }
  std::sort(commits.begin(), commits.end());
  commits.erase(std::unique(commits.begin(), commits.end()), commits.end());
  return commits;
}

struct StashWalk {
  git_repository* repo;
  std::vector<NamedCommit>* commits;
};

// One stash entry: its work-tree commit and the index and untracked-files commits it has as
// second and third parents (the first parent is HEAD at the time, kept by its own refs).
int collect_stash(std::size_t index, const char* /*message*/, const git_oid* id, void* payload) {
  auto* walk = static_cast<StashWalk*>(payload);
  const auto name = "stash@{" + std::to_string(index) + "}";
  walk->commits->push_back({name, oid_hex(id)});
  Commit commit;
  if (git_commit_lookup(commit.out(), walk->repo, id) < 0) {
    return -1;
  }
  for (unsigned parent = 1; parent < git_commit_parentcount(commit.get()); ++parent) {
    walk->commits->push_back({name, oid_hex(git_commit_parent_id(commit.get(), parent))});
  }
  return 0;
}

} // namespace

std::vector<std::string> Repository::branch_commits() const {
  return reference_commits(repo_, "refs/heads/*");
}

std::vector<NamedCommit> Repository::branches() const {
  return named_reference_commits(repo_, "refs/heads/*");
}

std::vector<NamedCommit> Repository::stash_commits() const {
  std::vector<NamedCommit> commits;
  StashWalk walk{repo_, &commits};
  const int result = git_stash_foreach(repo_, collect_stash, &walk);
  if (result < 0 && result != GIT_ENOTFOUND) {
    check(result, "read the stash");
  }
  return commits;
}

std::vector<std::string> Repository::tag_commits() const {
  return reference_commits(repo_, "refs/tags/*");
}

std::vector<std::string> Repository::all_commits() const {
  Revwalk walk;
  check(git_revwalk_new(walk.out(), repo_), "walk history");
  git_revwalk_sorting(walk.get(), GIT_SORT_TIME);
  for (const auto& commit : reference_commits(repo_, "refs/*")) {
    const auto oid = parse_oid(commit);
    check(git_revwalk_push(walk.get(), &oid), "walk history");
  }
  if (const auto head = head_commit()) {
    const auto oid = parse_oid(*head);
    check(git_revwalk_push(walk.get(), &oid), "walk history");
  }
  std::vector<std::string> commits;
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    commits.push_back(oid_hex(&oid));
  }
  return commits;
}

std::vector<TreeFile> Repository::files_with_suffix(const std::string& commit,
                                                    const std::string& suffix) const {
  const auto oid = parse_oid(commit);
  Commit object;
  check(git_commit_lookup(object.out(), repo_, &oid), "read commit " + commit);
  Tree tree;
  check(git_commit_tree(tree.out(), object.get()), "read the tree of commit " + commit);
  std::vector<TreeFile> files;
  WalkState state{repo_, suffix, &files};
  check(git_tree_walk(tree.get(), GIT_TREEWALK_PRE, collect_matching, &state),
        "read the files of commit " + commit);
  return files;
}

std::optional<std::string> Repository::read_file(const std::string& commit,
                                                 const std::string& path) const {
  const auto oid = parse_oid(commit);
  Commit object;
  check(git_commit_lookup(object.out(), repo_, &oid), "read commit " + commit);
  Tree tree;
  check(git_commit_tree(tree.out(), object.get()), "read the tree of commit " + commit);
  TreeEntry entry;
  if (git_tree_entry_bypath(entry.out(), tree.get(), path.c_str()) < 0 ||
      git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return std::nullopt;
  }
  Blob blob;
  check(git_blob_lookup(blob.out(), repo_, git_tree_entry_id(entry.get())), "read " + path);
  return blob_text(blob.get());
}

Repository::CommitInfo Repository::commit_info(const std::string& commit) const {
  const auto oid = parse_oid(commit);
  Commit object;
  check(git_commit_lookup(object.out(), repo_, &oid), "read commit " + commit);
  CommitInfo info;
  info.id = commit;
  const char* summary = git_commit_summary(object.get());
  info.summary = summary != nullptr ? summary : "";
  const git_signature* author = git_commit_author(object.get());
  if (author != nullptr) {
    info.author = author->name != nullptr ? author->name : "";
    info.author_email = author->email != nullptr ? author->email : "";
    info.author_time = static_cast<std::int64_t>(author->when.time);
  }
  info.time = static_cast<std::int64_t>(git_commit_time(object.get()));
  return info;
}

} // namespace mlv::git
