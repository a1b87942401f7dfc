#pragma once

#include <mlv/transfer/transfer.hpp>
#include <mlv/workspace/context.hpp>

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlv::workspace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct AddOptions {
  KeyValues meta;          // free keys at the top of `meta`
  KeyValues metrics;       // meta.metrics
  KeyValues params;        // meta.params
  YAML::Node metrics_file; // a --metrics-file's map (metadata.hpp): replaces meta.metrics
  YAML::Node params_file;  // a --params-file's map: replaces meta.params
  bool stage = true;       // stage the pointer and .gitignore in the git index
  transfer::ProgressCallback progress; // files and bytes done, as files are stored
};

struct AddResult {
  std::string data_path;    // repository-relative
  std::string pointer_path; // repository-relative
  std::string kind;         // file | dir
  std::string id;
  std::uint64_t size = 0;
  std::uint64_t files = 0;
  std::string format;
  std::string safety;   // the safety scan's verdict: clean, suspicious or unsafe
  bool changed = false; // false when the pointer already said exactly this
  // Paths git tracked at or below data_path: removed from the index (as `git rm --cached`)
  // unless AddOptions::stage is off; the files stay in the workspace.
  std::vector<std::string> git_tracked;
};

// `mlv add`: stores each path's content in the cache, writes its pointer, git-ignores the data,
// takes it out of git's index and stages pointer and .gitignore. Unchanged files are recognised
// without a read. Every path is checked first (a PATH.mlv stands for PATH; a path given twice
// counts once): a missing one, a bad name or an overlap with a folder tracked as one (or with
// pointers inside a folder) is an Error before anything is written.
std::vector<AddResult>
add(Context& context, const std::vector<std::string>& paths, const AddOptions& options);

// Parses "K=V"; Error(bad_input) naming the option when there is no '=' or the key is empty.
std::pair<std::string, std::string> parse_key_value(const std::string& text,
                                                    const std::string& option);

} // namespace mlv::workspace
