#pragma once

#include <mlv/registry/semver.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlv::registry {

// Registry tags (docs/registry.md): "NAME@VERSION" registers a version, "NAME#STAGE#N" is the
// N-th assignment of a version to a stage (the highest N of a stage is its current version).
inline constexpr char k_version_separator = '@';
inline constexpr char k_stage_separator = '#';

// A model name is one or more '/'-separated parts of [A-Za-z0-9._-], each starting with a letter
// or digit; it never contains '@' or '#', so a tag name splits back into its fields.
bool is_valid_model_name(std::string_view name);
// A stage name is [a-z][a-z0-9_-]*.
bool is_valid_stage_name(std::string_view stage);
// Error(bad_input) naming the value and the rule.
void check_model_name(const std::string& name);
void check_stage_name(const std::string& stage);

std::string version_tag_name(const std::string& model, const Version& version);
std::string stage_tag_name(const std::string& model, const std::string& stage, std::uint64_t n);

// What a tag name says, when it follows the registry's naming scheme.
struct TagName {
  enum class Kind { version, stage };
  Kind kind = Kind::version;
  std::string model;
  Version version;          // version tags
  std::string stage;        // stage tags
  std::uint64_t number = 0; // stage tags: N >= 1
};
std::optional<TagName> parse_tag_name(std::string_view tag);

} // namespace mlv::registry
