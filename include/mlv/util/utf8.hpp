#pragma once

#include <cstdint>
#include <string>

namespace mlv::util {

// Appends a Unicode code point as UTF-8 (JSON \u escapes, XML character references).
void append_utf8(std::string& out, std::uint32_t code_point);

} // namespace mlv::util
