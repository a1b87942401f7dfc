#include <mlv/cli/folder_changes_text.hpp>

namespace mlv::cli {

std::vector<std::string> folder_change_lines(const std::string& indent,
                                             const std::string& folder,
                                             const std::vector<workspace::FolderChange>& changes) {
  std::vector<std::string> lines;
  lines.reserve(changes.size());
  for (const auto& change : changes) {
    lines.push_back(indent + workspace::change_key(change.kind) + ": " + folder + "/" +
                    change.path);
  }
  return lines;
}

void write_folder_changes(util::JsonWriter& json,
                          const char* key,
                          const std::vector<workspace::FolderChange>& changes) {
  if (changes.empty()) {
    return;
  }
  json.key(key).begin_array();
  for (const auto& change : changes) {
    json.begin_object().key("path").value(change.path);
    json.key("change").value(workspace::change_key(change.kind)).end_object();
  }
  json.end_array();
}

} // namespace mlv::cli
