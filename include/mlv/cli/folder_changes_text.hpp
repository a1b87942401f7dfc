#pragma once

// How `mlv status` and `mlv diff` show the files that changed inside a tracked folder.

#include <mlv/util/json.hpp>
#include <mlv/workspace/status.hpp>

#include <string>
#include <vector>

namespace mlv::cli {

// One line per change, as git status lists a folder's files: `indent`, the change, then the
// path under `folder` ("  modified: data/shard0042/x.bin").
std::vector<std::string> folder_change_lines(const std::string& indent,
                                             const std::string& folder,
                                             const std::vector<workspace::FolderChange>& changes);

// `"KEY": [{"path", "change"}, ...]` into the object being written, when there is any change.
void write_folder_changes(util::JsonWriter& json,
                          const char* key,
                          const std::vector<workspace::FolderChange>& changes);

} // namespace mlv::cli
