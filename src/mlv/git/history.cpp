#include "libgit2_support.hpp"

#include <mlv/git/repository.hpp>

namespace mlv::git {

namespace {

using namespace detail;

// The blob id of `path` in `commit`'s tree, or nullopt when the path is not a file there.
std::optional<std::string>
blob_in_commit(git_repository* repo, const git_oid& commit_oid, const std::string& path) {
  Commit commit;
  check(git_commit_lookup(commit.out(), repo, &commit_oid), "read commit " + oid_hex(&commit_oid));
  Tree tree;
  check(git_commit_tree(tree.out(), commit.get()),
        "read the tree of commit " + oid_hex(&commit_oid));
  TreeEntry entry;
  if (git_tree_entry_bypath(entry.out(), tree.get(), path.c_str()) < 0 ||
      git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return std::nullopt;
  }
  return oid_hex(git_tree_entry_id(entry.get()));
}

} // namespace

std::string Repository::read_blob(const std::string& blob_id) const {
  const auto oid = parse_oid(blob_id);
  Blob blob;
  check(git_blob_lookup(blob.out(), repo_, &oid), "read blob " + blob_id);
  return blob_text(blob.get());
}

std::vector<PathChange> Repository::path_changes(const std::string& start,
                                                 const std::string& path) const {
  Revwalk walk;
  check(git_revwalk_new(walk.out(), repo_), "walk history");
  check(git_revwalk_simplify_first_parent(walk.get()), "walk history");
  const auto start_oid = parse_oid(start);
  check(git_revwalk_push(walk.get(), &start_oid), "walk history from " + start);

  // The walk yields newest first; a commit's entry is settled once its parent's blob is known.
  std::vector<PathChange> changes;
  std::optional<std::string> pending_commit;
  std::optional<std::string> pending_blob;
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    auto blob = blob_in_commit(repo_, oid, path);
    if (pending_commit && pending_blob != blob) {
      changes.push_back({*pending_commit, pending_blob});
    }
    pending_commit = oid_hex(&oid);
    pending_blob = std::move(blob);
  }
  // The root commit differs from "no parent" when it holds the path.
  if (pending_commit && pending_blob) {
    changes.push_back({*pending_commit, pending_blob});
  }
  return changes;
}

bool Repository::is_ancestor(const std::string& ancestor, const std::string& descendant) const {
  if (ancestor == descendant) {
    return true;
  }
  const auto ancestor_oid = parse_oid(ancestor);
  const auto descendant_oid = parse_oid(descendant);
  const int result = git_graph_descendant_of(repo_, &descendant_oid, &ancestor_oid);
  check(result, "compare commits " + ancestor + " and " + descendant);
  return result == 1;
}

} // namespace mlv::git
