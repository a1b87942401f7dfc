#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/time_text.hpp>
#include <mlv/workspace/metadata.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// A pointer is committed to git and read by every command: metadata stays small.
constexpr std::uintmax_t k_max_metadata_file_bytes = 1024 * 1024;
constexpr const char* k_metrics_key = "metrics";
constexpr const char* k_params_key = "params";

Error file_error(const fs::path& file, const YAML::Mark& mark, const std::string& what) {
  const auto line = mark.is_null() ? std::string() : ":" + std::to_string(mark.line + 1);
  return Error(Failure::invalid_input, file.string() + line + ": " + what,
               "give a JSON object or a YAML map, e.g. {\"accuracy\": 0.93}");
}

// Maps as block YAML in the pointer (one key a line, readable in diffs); lists of plain values
// stay on one line.
void normalise_style(YAML::Node node, const fs::path& file) {
  if (node.IsMap()) {
    node.SetStyle(YAML::EmitterStyle::Block);
    std::set<std::string> keys;
    for (auto entry : node) {
      if (!entry.first.IsScalar()) {
        throw file_error(file, entry.first.Mark(), "a key must be a plain name, not a list or map");
      }
      if (!keys.insert(entry.first.Scalar()).second) {
        throw file_error(file, entry.first.Mark(), "key '" + entry.first.Scalar() + "' repeats");
      }
      normalise_style(entry.second, file);
    }
  } else if (node.IsSequence()) {
    bool nested = false;
    for (auto item : node) {
      normalise_style(item, file);
      nested = nested || item.IsMap() || item.IsSequence();
    }
    node.SetStyle(nested ? YAML::EmitterStyle::Block : YAML::EmitterStyle::Flow);
  }
}

void set_keys(YAML::Node map, const KeyValues& values) {
  for (const auto& [key, value] : values) {
    map[key] = value;
  }
}

// `meta[key]` as a map to set keys in (a fresh one when absent or not a map).
YAML::Node sub_map(YAML::Node meta, const char* key) {
  if (!meta[key] || !meta[key].IsMap()) {
    meta[key] = YAML::Node(YAML::NodeType::Map);
  }
  return meta[key];
}

std::time_t record_time() {
  // reproducible-builds.org's variable: tools that stamp times use it instead of the clock.
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    const auto value = std::strtoll(epoch, &end, 10);
    if (*end == '\0' && value >= 0) {
      return static_cast<std::time_t>(value);
    }
  }
  return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
}

} // namespace

YAML::Node read_metadata_file(const fs::path& file, const std::string& option) {
  std::error_code error;
  const auto size = fs::file_size(file, error);
  if (error) {
    throw Error(Failure::not_found, option + " " + file.string() + ": " + error.message(),
                "give the path of a JSON or YAML file");
  }
  if (size > k_max_metadata_file_bytes) {
    throw Error(Failure::invalid_input,
                option + " " + file.string() + ": " + std::to_string(size) +
                    " bytes is more than the 1 MiB a pointer's metadata may hold",
                "keep the summary numbers in this file; store large reports as their own files");
  }
  YAML::Node root;
  try {
    root = YAML::Load(util::read_file(file));
  } catch (const YAML::Exception& exception) {
    throw file_error(file, exception.mark, "not valid JSON or YAML: " + exception.msg);
  }
  if (!root.IsMap()) {
    throw file_error(file, root.Mark(),
                     std::string("expected a map of names to values, found ") +
                         (root.IsNull()       ? "nothing"
                          : root.IsSequence() ? "a list"
                                              : "a value"));
  }
  normalise_style(root, file);
  return root;
}

YAML::Node merged_meta(const YAML::Node& existing, const AddOptions& options) {
  YAML::Node meta =
      existing && existing.IsMap() ? YAML::Clone(existing) : YAML::Node(YAML::NodeType::Map);
  for (const auto& [key, value] : options.meta) {
    if (key == k_added_key) {
      throw Error(Failure::invalid_input,
                  option_ref("--meta") + " " + key + "=" + value +
                      ": 'added' is recorded by mlv itself",
                  "choose another key name");
    }
  }
  set_keys(meta, options.meta);
  if (options.metrics_file && options.metrics_file.IsMap()) {
    meta[k_metrics_key] = YAML::Clone(options.metrics_file);
  }
  if (options.params_file && options.params_file.IsMap()) {
    meta[k_params_key] = YAML::Clone(options.params_file);
  }
  if (!options.metrics.empty()) {
    set_keys(sub_map(meta, k_metrics_key), options.metrics);
  }
  if (!options.params.empty()) {
    set_keys(sub_map(meta, k_params_key), options.params);
  }
  return meta;
}

YAML::Node with_provenance(const YAML::Node& meta, const git::Repository& repository) {
  YAML::Node stamped = meta && meta.IsMap() ? YAML::Clone(meta) : YAML::Node(YAML::NodeType::Map);
  YAML::Node added(YAML::NodeType::Map);
  added["at"] = util::iso8601_utc(record_time());
  if (const auto head = repository.head_commit()) {
    added["git_commit"] = *head;
  }
  added["mlv_version"] = MLV_VERSION;
  stamped[k_added_key] = added;
  return stamped;
}

} // namespace mlv::workspace
