#include <mlv/registry/semver.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <charconv>
#include <tuple>

namespace mlv::registry {

namespace {

constexpr std::string_view k_semver_rules =
    "use MAJOR.MINOR.PATCH with an optional -PRERELEASE and +BUILD, e.g. 1.4.0 or 2.0.0-rc.1 "
    "(semver.org)";

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_identifier_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// A numeric field: digits, no leading zero (except "0" itself), fits in 64 bits.
std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (!is_digits(text) || (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

// Dot-separated identifiers of [0-9A-Za-z-], none empty; numeric pre-release identifiers
// without leading zeros.
bool valid_identifiers(std::string_view text, bool numeric_rule) {
  for (const auto part : split(text, '.')) {
    if (part.empty() || !std::all_of(part.begin(), part.end(), is_identifier_char)) {
      return false;
    }
    if (numeric_rule && is_digits(part) && part.size() > 1 && part.front() == '0') {
      return false;
    }
  }
  return true;
}

std::strong_ordering compare_identifier(std::string_view a, std::string_view b) {
  const bool a_numeric = is_digits(a);
  const bool b_numeric = is_digits(b);
  if (a_numeric && b_numeric) {
    // Equal-length digit strings without leading zeros compare as text; longer is larger.
    if (a.size() != b.size()) {
      return a.size() <=> b.size();
    }
    return a.compare(b) <=> 0;
  }
  if (a_numeric != b_numeric) {
    return a_numeric ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  return a.compare(b) <=> 0;
}

} // namespace

std::string Version::text() const {
  auto out = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  for (std::size_t i = 0; i < prerelease.size(); ++i) {
    out += (i == 0 ? "-" : ".") + prerelease[i];
  }
  if (!build.empty()) {
    out += "+" + build;
  }
  return out;
}

std::optional<Version> parse_version(std::string_view text) {
  Version version;
  const auto plus = text.find('+');
  if (plus != std::string_view::npos) {
    const auto build = text.substr(plus + 1);
    if (!valid_identifiers(build, false)) {
      return std::nullopt;
    }
    version.build = std::string(build);
    text = text.substr(0, plus);
  }
  const auto dash = text.find('-');
  if (dash != std::string_view::npos) {
    const auto prerelease = text.substr(dash + 1);
    if (!valid_identifiers(prerelease, true)) {
      return std::nullopt;
    }
    for (const auto part : split(prerelease, '.')) {
      version.prerelease.emplace_back(part);
    }
    text = text.substr(0, dash);
  }
  const auto numbers = split(text, '.');
  if (numbers.size() != 3) {
    return std::nullopt;
  }
  const auto major = parse_number(numbers[0]);
  const auto minor = parse_number(numbers[1]);
  const auto patch = parse_number(numbers[2]);
  if (!major || !minor || !patch) {
    return std::nullopt;
  }
  version.major = *major;
  version.minor = *minor;
  version.patch = *patch;
  return version;
}

Version parse_version_argument(std::string_view text) {
  auto bare = text;
  if (bare.size() > 1 && (bare.front() == 'v' || bare.front() == 'V') && bare[1] >= '0' &&
      bare[1] <= '9') {
    bare.remove_prefix(1);
  }
  if (auto version = parse_version(bare)) {
    return *version;
  }
  throw Error(Failure::invalid_input, "'" + std::string(text) + "' is not a semantic version",
              std::string(k_semver_rules));
}

std::strong_ordering compare_precedence(const Version& a, const Version& b) {
  if (const auto order =
          std::tie(a.major, a.minor, a.patch) <=> std::tie(b.major, b.minor, b.patch);
      order != 0) {
    return order;
  }
  // A release has higher precedence than any of its pre-releases.
  if (a.prerelease.empty() || b.prerelease.empty()) {
    return a.prerelease.empty() <=> b.prerelease.empty();
  }
  const auto common = std::min(a.prerelease.size(), b.prerelease.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (const auto order = compare_identifier(a.prerelease[i], b.prerelease[i]); order != 0) {
      return order;
    }
  }
  return a.prerelease.size() <=> b.prerelease.size();
}

} // namespace mlv::registry
