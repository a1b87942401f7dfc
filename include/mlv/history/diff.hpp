#pragma once

#include <mlv/pointer/pointer.hpp>
#include <mlv/workspace/context.hpp>
#include <mlv/workspace/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlv::history {

enum class Change {
  added,    // only the new side has the pointer
  removed,  // only the old side has it
  modified, // the content (sha256) differs
  metadata, // same content, other pointer fields differ (metrics, params, summary...)
};
std::string change_name(Change change);

// One key of meta.metrics or meta.params (dotted when nested) whose value differs.
struct ValueChange {
  std::string key;
  std::optional<std::string> old_value; // display text; nullopt when absent on that side
  std::optional<std::string> new_value;
  YAML::Node old_node; // typed values for JSON (null nodes when absent)
  YAML::Node new_node;
  std::optional<double> delta;           // new - old, when both are numbers
  std::optional<std::string> delta_text; // "+0.02", to the inputs' decimal places
};

struct DiffEntry {
  std::string path; // data path, repository-relative
  std::string pointer_path;
  Change change = Change::modified;
  std::optional<pointer::Pointer> old_pointer;
  std::optional<pointer::Pointer> new_pointer;
  std::vector<ValueChange> metrics;
  std::vector<ValueChange> params;
  // For a folder modified between the two sides, both listings in the cache: the files inside
  // it that were added, modified and deleted.
  std::vector<workspace::FolderChange> files;
};

struct DiffResult {
  std::string old_label; // a revision as typed, or "HEAD"
  std::string new_label; // a revision, or "workspace"
  std::optional<std::string> old_commit;
  std::optional<std::string> new_commit; // nullopt for the workspace
  std::vector<DiffEntry> entries;        // changed pointers only, sorted by path
};

// `mlv diff`: no revision compares HEAD with the work tree's pointers, one compares that
// revision with them, two compare the revisions (pointers read from git without a checkout).
DiffResult diff(workspace::Context& context, const std::vector<std::string>& revisions);

// The changed values between two maps of metrics or params (flattened with dotted keys).
std::vector<ValueChange> value_changes(const YAML::Node& old_map, const YAML::Node& new_map);

} // namespace mlv::history
