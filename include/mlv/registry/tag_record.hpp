#pragma once

#include <mlv/registry/tag_names.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace mlv::registry {

// The machine-readable record in a registry tag's message (docs/registry.md), so that
// `git show NAME@VERSION` explains the tag and mlv reads a model's versions without reading trees.
inline constexpr int k_record_format = 1;

struct TagRecord {
  TagName::Kind kind = TagName::Kind::version;
  std::string model;
  std::string version;      // canonical semver text
  std::string stage;        // stage assignments
  std::uint64_t number = 0; // stage assignments: N of NAME#STAGE#N
  std::string path;         // the data path, repository-relative
  std::string pointer;      // its pointer file, repository-relative
  std::string sha256;
  std::uint64_t size = 0;
  std::string format;
  std::string message; // the user's -m text; may be empty
};

// A subject line for `git tag -n`, then the record as YAML after a "---" line.
std::string tag_message(const TagRecord& record);

// nullopt when the message holds no mlv record (someone else's "name@1.0.0" tag).
// Error(bad_input) naming the tag when it holds one that is malformed, from a newer format, or
// that disagrees with the tag's own name.
std::optional<TagRecord> parse_tag_message(const std::string& tag, const std::string& message);

} // namespace mlv::registry
