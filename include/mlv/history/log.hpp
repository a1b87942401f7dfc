#pragma once

#include <mlv/pointer/pointer.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/workspace/context.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlv::history {

// One version of a model: a commit where its pointer changed.
struct LogEntry {
  git::Repository::CommitInfo commit;
  std::optional<pointer::Pointer> pointer; // nullopt: the pointer was removed in this commit
  std::vector<registry::RegistryTag> tags; // registry versions and stage assignments of it
};

struct LogResult {
  std::string data_path;         // repository-relative
  std::string pointer_path;      // repository-relative
  std::vector<LogEntry> entries; // newest first
};

// `mlv log`: the commits on the first-parent line from `revision` where PATH's pointer changed
// (added, changed or removed), with the registry tags that name each version. PATH is a data or
// pointer path relative to the current folder; it need not exist in the work tree any more.
// Error(missing) when no commit on that line holds the pointer.
LogResult log(workspace::Context& context, const std::string& path, const std::string& revision);

} // namespace mlv::history
