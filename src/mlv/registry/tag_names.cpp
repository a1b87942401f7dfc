#include <mlv/registry/tag_names.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <charconv>

namespace mlv::registry {

namespace {

constexpr std::size_t k_max_model_name = 128;
constexpr std::size_t k_max_stage_name = 64;
constexpr std::string_view k_lock_suffix = ".lock"; // git reserves it for lock files

bool is_name_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
         c == '_' || c == '-';
}

bool is_alphanumeric(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// One '/'-separated part of a model name; git forbids "..", a trailing '.' and ".lock".
bool is_valid_name_part(std::string_view part) {
  return !part.empty() && is_alphanumeric(part.front()) &&
         std::all_of(part.begin(), part.end(), is_name_char) &&
         part.find("..") == std::string_view::npos && part.back() != '.' &&
         !part.ends_with(k_lock_suffix);
}

std::optional<std::uint64_t> parse_assignment_number(std::string_view text) {
  if (text.empty() || text.front() == '0' ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

bool is_valid_model_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_model_name) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    const auto end = name.find('/', start);
    if (!is_valid_name_part(
            name.substr(start, end == std::string_view::npos ? end : end - start))) {
      return false;
    }
    if (end == std::string_view::npos) {
      return true;
    }
    start = end + 1;
  }
}

bool is_valid_stage_name(std::string_view stage) {
  return !stage.empty() && stage.size() <= k_max_stage_name && stage.front() >= 'a' &&
         stage.front() <= 'z' && std::all_of(stage.begin(), stage.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

void check_model_name(const std::string& name) {
  if (!is_valid_model_name(name)) {
    throw Error(Failure::invalid_input, "'" + name + "' is not a valid model name",
                "use letters, digits, '.', '_' and '-', starting with a letter or digit "
                "('/' may separate parts, as in team/classifier); '@' and '#' are reserved");
  }
}

void check_stage_name(const std::string& stage) {
  if (!is_valid_stage_name(stage)) {
    throw Error(Failure::invalid_input, "'" + stage + "' is not a valid stage name",
                "use lower-case letters, digits, '_' and '-', starting with a letter, e.g. "
                "production or staging");
  }
}

std::string version_tag_name(const std::string& model, const Version& version) {
  return model + k_version_separator + version.text();
}

std::string stage_tag_name(const std::string& model, const std::string& stage, std::uint64_t n) {
  return model + k_stage_separator + stage + k_stage_separator + std::to_string(n);
}

std::optional<TagName> parse_tag_name(std::string_view tag) {
  TagName parsed;
  const auto at = tag.find(k_version_separator);
  if (at != std::string_view::npos) {
    auto version = parse_version(tag.substr(at + 1));
    if (!version || !is_valid_model_name(tag.substr(0, at))) {
      return std::nullopt;
    }
    parsed.kind = TagName::Kind::version;
    parsed.model = std::string(tag.substr(0, at));
    parsed.version = std::move(*version);
    return parsed;
  }
  const auto last = tag.rfind(k_stage_separator);
  if (last == std::string_view::npos || last == 0) {
    return std::nullopt;
  }
  const auto middle = tag.rfind(k_stage_separator, last - 1);
  if (middle == std::string_view::npos) {
    return std::nullopt;
  }
  const auto model = tag.substr(0, middle);
  const auto stage = tag.substr(middle + 1, last - middle - 1);
  const auto number = parse_assignment_number(tag.substr(last + 1));
  if (!number || !is_valid_model_name(model) || !is_valid_stage_name(stage)) {
    return std::nullopt;
  }
  parsed.kind = TagName::Kind::stage;
  parsed.model = std::string(model);
  parsed.stage = std::string(stage);
  parsed.number = *number;
  return parsed;
}

} // namespace mlv::registry
