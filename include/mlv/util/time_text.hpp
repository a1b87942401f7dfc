#pragma once

#include <cstdint>
#include <string>

namespace mlv::util {

// ISO-8601 in UTC to the second: "2025-03-01T09:30:00Z".
std::string iso8601_utc(std::int64_t seconds_since_epoch);

} // namespace mlv::util
