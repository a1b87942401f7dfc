#pragma once

#include <string>

namespace mlv::config {

// The settings mlv knows outside `remote.NAME.*` (whose options each backend checks), and the
// one check of their values: `mlv config` runs it before writing, Config::get() on every value
// it returns, so a value that `mlv config` accepts is one every command accepts
// (docs/configuration.md).

// Error(bad_input) "SOURCE: KEY: 'VALUE' is not valid: expected ..." with `fix` as the hint, when
// `value` is not valid for the known setting `key` (nothing for other keys).
void check_setting(const std::string& key,
                   const std::string& value,
                   const std::string& source,
                   const std::string& fix);

// Error(bad_input) naming the key, the value and the accepted values when `mlv config KEY VALUE`
// may not write it: an unknown key of core, cache, safety or transfer, or an invalid value.
void validate_setting(const std::string& key, const std::string& value);

// The zstd level a `remote.NAME.compression` value asks for (0 for `none`); Error(bad_input)
// naming `key` when it is neither `none` nor a level from 1 to 19.
int compression_level(const std::string& value, const std::string& key);

} // namespace mlv::config
