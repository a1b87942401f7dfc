#pragma once

#include <optional>
#include <string>

namespace mlv::config {

// The settings mlv knows outside `remote.NAME.*` (whose options each backend checks), and the
// one check of their values: `mlv config` runs it before writing, Config::get() on every value
// it returns, so a value that `mlv config` accepts is one every command accepts
// (docs/configuration.md).

// Whether `key` is a setting mlv knows (core.jobs, cache.type, ...; not remote.NAME.*).
bool is_known_setting(const std::string& key);

// What a known setting accepts, for messages ("block or warn"); empty for other keys.
std::string accepted_values(const std::string& key);

// Whether `value` is valid for the known setting `key` (true for every other key).
bool is_valid_setting(const std::string& key, const std::string& value);

// Error(bad_input) naming the key, the value and the accepted values when `mlv config KEY VALUE`
// may not write it: an unknown key of core, cache, safety or transfer, or an invalid value.
void validate_setting(const std::string& key, const std::string& value);

} // namespace mlv::config
