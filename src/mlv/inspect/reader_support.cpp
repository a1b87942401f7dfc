#include "readers.hpp"

#include <mlv/formats/source_cursor.hpp>

#include <limits>

namespace mlv::inspect::reader {

namespace {

// A safetensors header takes about eight JSON values per tensor: this allows 250,000 tensors,
// far beyond any published model, and bounds the parse to a few hundred MB of memory.
constexpr std::size_t k_max_json_values = 2'000'000;

} // namespace

std::optional<std::uint64_t> element_count(const std::vector<Dimension>& shape) {
  std::uint64_t count = 1;
  for (const auto& dimension : shape) {
    const auto* size = std::get_if<std::int64_t>(&dimension);
    if (size == nullptr || *size < 0) {
      return std::nullopt;
    }
    const auto factor = static_cast<std::uint64_t>(*size);
    if (factor != 0 && count > std::numeric_limits<std::uint64_t>::max() / factor) {
      return std::nullopt;
    }
    count *= factor;
  }
  return count;
}

void add_checked(const formats::ByteSource& source,
                 std::string_view format,
                 std::uint64_t& total,
                 std::uint64_t count) {
  if (count > std::numeric_limits<std::uint64_t>::max() - total) {
    formats::fail_bad_input(source, format, "element counts add up to more than 2^64");
  }
  total += count;
}

void check_table_size(const formats::ByteSource& source,
                      std::string_view format,
                      std::size_t rows,
                      std::string_view what) {
  if (rows > k_max_table_rows) {
    formats::fail_bad_input(
        source, format, "more than " + std::to_string(k_max_table_rows) + " " + std::string(what));
  }
}

util::JsonValue parse_json_or_fail(const formats::ByteSource& source,
                                   std::string_view format,
                                   std::string_view what,
                                   std::string_view text) {
  try {
    return util::parse_json(text, k_max_json_values);
  } catch (const util::JsonError& error) {
    formats::fail_bad_input(source, format,
                            std::string(what) + " is not valid JSON: " + error.what());
  }
}

} // namespace mlv::inspect::reader
