#include <mlv/config/settings.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <sstream>

namespace mlv::config {

namespace {

constexpr std::uint64_t k_max_jobs = 256;
// A pack is assembled in memory before it is uploaded.
constexpr std::uint64_t k_max_pack_size = 4ull * 1024 * 1024 * 1024;

struct Setting {
  const char* key;
  const char* accepted; // completes "expected ..."
  const char* example;  // a valid value
  bool (*valid)(const std::string& value);
};

// A whole number from 1 to `max`, in decimal digits only.
bool is_count(const std::string& value, std::uint64_t max) {
  if (value.empty() || value.size() > 19 ||
      value.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const auto number = std::stoull(value);
  return number >= 1 && number <= max;
}

// remote.NAME.compression: `none`, or a zstd level from 1 to 19 (20-22 need far more memory).
bool is_compression(const std::string& value) {
  return value == "none" || is_count(value, 19);
}

constexpr const char* k_compression_accepted = "none or a zstd level from 1 to 19";

bool is_link_type_list(const std::string& value) {
  constexpr std::array<const char*, 4> k_types = {"reflink", "hardlink", "symlink", "copy"};
  if (value.empty() || value.back() == ',') {
    return false;
  }
  std::stringstream words(value);
  std::string word;
  while (std::getline(words, word, ',')) {
    if (std::none_of(k_types.begin(), k_types.end(),
                     [&](const char* type) { return word == type; })) {
      return false;
    }
  }
  return true;
}

constexpr std::array<Setting, 6> k_settings = {{
    {"core.remote", "the name of a remote (not empty, no '.' or '/')", "origin",
     [](const std::string& v) { return !v.empty() && v.find_first_of("./") == std::string::npos; }},
    {"core.jobs", "a whole number from 1 to 256", "8",
     [](const std::string& v) { return is_count(v, k_max_jobs); }},
    {"cache.dir", "a folder path (not empty)", "/mnt/shared/mlv-cache",
     [](const std::string& v) { return !v.empty(); }},
    {"cache.type", "a comma-separated list of reflink, hardlink, symlink, copy", "reflink,copy",
     is_link_type_list},
    {"safety.policy", "block or warn", "warn",
     [](const std::string& v) { return v == "block" || v == "warn"; }},
    {"transfer.pack_size", "a whole number of bytes from 1 to 4294967296", "33554432",
     [](const std::string& v) { return is_count(v, k_max_pack_size); }},
}};

const Setting* find_setting(const std::string& key) {
  const auto it = std::find_if(k_settings.begin(), k_settings.end(),
                               [&](const Setting& setting) { return key == setting.key; });
  return it == k_settings.end() ? nullptr : &*it;
}

std::string keys_of_section(const std::string& section) {
  std::string list;
  for (const auto& setting : k_settings) {
    if (std::string(setting.key).starts_with(section + ".")) {
      list += (list.empty() ? "" : ", ") + std::string(setting.key);
    }
  }
  return list;
}

} // namespace

void check_setting(const std::string& key,
                   const std::string& value,
                   const std::string& source,
                   const std::string& fix) {
  const auto* setting = find_setting(key);
  if (setting != nullptr && !setting->valid(value)) {
    throw Error(
        Failure::invalid_input,
        source + ": " + key + ": '" + value + "' is not valid: expected " + setting->accepted, fix);
  }
}

void validate_setting(const std::string& key, const std::string& value) {
  const auto section = key.substr(0, key.find('.'));
  if (section == "remote") {
    if (key.ends_with(".compression") && !is_compression(value)) {
      throw Error(Failure::invalid_input,
                  "config " + key + ": '" + value + "' is not valid: expected " +
                      k_compression_accepted,
                  "e.g. `mlv config " + key + " 3`, or `none` to store chunks uncompressed");
    }
    return;
  }
  const auto* setting = find_setting(key);
  if (setting == nullptr) {
    const auto known = keys_of_section(section);
    throw Error(
        Failure::invalid_input, "cannot set " + key + " to '" + value + "': mlv knows no such key",
        known.empty() ? "see docs/configuration.md for the keys"
                      : "the " + section + " keys are " + known + " (docs/configuration.md)");
  }
  if (!setting->valid(value)) {
    throw Error(Failure::invalid_input,
                "config " + key + ": '" + value + "' is not valid: expected " + setting->accepted,
                std::string("e.g. `mlv config ") + (key == "safety.policy" ? "--local " : "") +
                    key + " " + setting->example + "`");
  }
}

int compression_level(const std::string& value, const std::string& key) {
  if (!is_compression(value)) {
    throw Error(Failure::invalid_input,
                key + ": '" + value + "' is not valid: expected " + k_compression_accepted,
                "e.g. `mlv config " + key + " 3`, or `none` to store chunks uncompressed");
  }
  return value == "none" ? 0 : std::stoi(value);
}

} // namespace mlv::config
