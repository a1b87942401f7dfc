#include <mlv/util/error.hpp>

#include <cstring>

namespace mlv {

std::string errno_message(const std::string& action, const std::string& path, int error_number) {
  return action + " " + path + ": " + std::strerror(error_number);
}

} // namespace mlv
