#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::registry {

// A semantic version (semver.org 2.0.0): MAJOR.MINOR.PATCH, an optional pre-release
// ("-rc.1") and optional build metadata ("+build.5").
struct Version {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;
  std::vector<std::string> prerelease; // dot-separated identifiers
  std::string build;                   // kept in the text, ignored by precedence

  // The canonical text: "1.2.0-rc.1+build.5" (never with a leading "v").
  std::string text() const;
};

// Parses exactly the semver 2.0.0 grammar (no leading "v", no leading zeros in numbers);
// nullopt when `text` is not a semantic version.
std::optional<Version> parse_version(std::string_view text);

// A version typed by a user: a leading "v" ("v1.4.0") is accepted and dropped. Error(bad_input)
// naming the text and the rule it breaks.
Version parse_version_argument(std::string_view text);

// Semver precedence: numbers compared numerically, a pre-release sorts before its release,
// pre-release identifiers compared field by field; build metadata does not count.
std::strong_ordering compare_precedence(const Version& a, const Version& b);

} // namespace mlv::registry
