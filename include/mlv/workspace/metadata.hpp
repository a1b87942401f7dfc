#pragma once

#include <mlv/git/repository.hpp>
#include <mlv/workspace/add.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

namespace mlv::workspace {

// The sub-map of `meta` that mlv writes itself when `mlv add` records a pointer
// (docs/history.md): added.at, added.git_commit, added.mlv_version.
inline constexpr const char* k_added_key = "added";

// Reads a --metrics-file or --params-file: a JSON or YAML map, nested maps and lists allowed,
// kept as written (numbers stay numbers). Error(bad_input) naming the file and the line when it
// does not parse, is not a map, repeats a key or is too large; Error(missing) when absent.
YAML::Node read_metadata_file(const std::filesystem::path& file, const std::string& option);

// The pointer's meta after an add: what it had; `metrics` and `params` replaced by the files'
// maps when given; then the --meta, --metric and --param keys set over it. Error(bad_input) for
// a --meta key that mlv reserves.
YAML::Node merged_meta(const YAML::Node& existing, const AddOptions& options);

// `meta` with `added` set to now (SOURCE_DATE_EPOCH when set, for reproducible records), the
// commit HEAD names (none on an unborn branch) and this mlv's version.
YAML::Node with_provenance(const YAML::Node& meta, const git::Repository& repository);

} // namespace mlv::workspace
