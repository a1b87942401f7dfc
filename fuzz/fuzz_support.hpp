#pragma once

// What every fuzz target shares: hostile bytes go through the entry the CLI uses, and a
// mlv::Error is a normal answer to them. Anything else escaping (another exception, a crash, a
// sanitizer report) is a finding; libFuzzer reports an uncaught exception as a crash.

#include <mlv/formats/byte_source.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/scan/scan.hpp>
#include <mlv/util/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlv::fuzz {

inline std::string bytes_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `body`, accepting mlv::Error as the outcome for bad input.
template <typename Body>
void expect_mlv_errors_only(Body&& body) {
  try {
    body();
  } catch (const mlv::Error&) {
  }
}

// `mlv inspect` and `mlv scan` of the bytes as a file called `file_name` (the name matters only
// for detecting compressed joblib files).
inline void
inspect_and_scan(const std::uint8_t* data, std::size_t size, const std::string& file_name) {
  const mlv::formats::MemorySource source(bytes_of(data, size), file_name);
  expect_mlv_errors_only([&] { (void)inspect::inspect_source(source, file_name); });
  expect_mlv_errors_only([&] { (void)scan::scan_source(source, file_name); });
}

} // namespace mlv::fuzz
