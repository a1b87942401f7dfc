#include <mlv/util/time_text.hpp>

#include <ctime>

namespace mlv::util {

std::string iso8601_utc(std::int64_t seconds_since_epoch) {
  const auto time = static_cast<std::time_t>(seconds_since_epoch);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

} // namespace mlv::util
