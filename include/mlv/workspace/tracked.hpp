#pragma once

#include <mlv/pointer/pointer.hpp>
#include <mlv/workspace/context.hpp>

#include <string>
#include <vector>

namespace mlv::workspace {

// A pointer and where it is: paths are repository-relative and '/'-separated.
struct Tracked {
  std::string pointer_path;
  std::string data_path;
  pointer::Pointer pointer;
};

// Pointers in the work tree that match `targets` (data paths, pointer paths or folders, as the
// user typed them; every pointer when empty), sorted by path. A target that matches nothing is
// Error(bad_input) naming it. A matching pointer that cannot be read (malformed, or with merge
// conflict markers) is left out and its error put off on the context (Context::defer): the
// caller does the rest and then calls context.finish(). When no readable pointer matches, the
// error is thrown at once. Pointers outside the targets are never an error.
std::vector<Tracked> workspace_pointers(Context& context, const std::vector<std::string>& targets);

// Which commits to read pointers from, without a checkout.
struct RevisionSelection {
  std::vector<std::string> revisions;
  bool all_branches = false;
  bool all_tags = false;
  bool all_commits = false;
  bool stash = false; // every stash entry (work tree, index and untracked files)
  bool any() const {
    return !revisions.empty() || all_branches || all_tags || all_commits || stash;
  }
};

// The commits a selection names, deduplicated.
std::vector<std::string> selected_commits(Context& context, const RevisionSelection& selection);

// Pointers named by the selected commits that match `targets`, one per distinct
// (pointer path, id). A malformed pointer in history is Error(bad_input) naming commit and file.
std::vector<Tracked> revision_pointers(Context& context,
                                       const RevisionSelection& selection,
                                       const std::vector<std::string>& targets);

// The data path a pointer at `pointer_path` names (repository-relative).
std::string data_path_for(const std::string& pointer_path, const pointer::Pointer& pointer);

} // namespace mlv::workspace
