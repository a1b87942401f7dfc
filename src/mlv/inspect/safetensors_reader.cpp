// safetensors (github.com/huggingface/safetensors, "Format"): an 8-byte little-endian header
// length N, N bytes of JSON mapping each tensor name to {dtype, shape, data_offsets} (offsets
// into the data that follows the header) plus an optional "__metadata__" map of strings, then
// the tensor data. Only the header is read, so a 10 GiB file costs two reads.

#include "probes.hpp"
#include "readers.hpp"

#include <mlv/formats/source_cursor.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace mlv::inspect::reader {

namespace {

constexpr std::string_view k_format = "safetensors";
constexpr std::string_view k_metadata_key = "__metadata__";
constexpr std::uint64_t k_length_bytes = 8;

// Bytes per element of the dtypes the specification lists; a dtype not here (a future one) is
// reported as written, without the size check.
std::optional<std::uint64_t> element_bits(std::string_view dtype) {
  static const std::map<std::string_view, std::uint64_t> k_bits = {
      {"BOOL", 8},    {"U8", 8},   {"I8", 8},   {"F8_E5M2", 8}, {"F8_E4M3", 8},
      {"F8_E8M0", 8}, {"I16", 16}, {"U16", 16}, {"F16", 16},    {"BF16", 16},
      {"I32", 32},    {"U32", 32}, {"F32", 32}, {"F64", 64},    {"I64", 64},
      {"U64", 64},    {"C64", 64}, {"F4", 4},   {"F6_E2M3", 6}, {"F6_E3M2", 6}};
  const auto found = k_bits.find(dtype);
  return found == k_bits.end() ? std::nullopt : std::optional(found->second);
}

[[noreturn]] void fail(const formats::ByteSource& source, const std::string& what) {
  formats::fail_bad_input(source, k_format, what);
}

std::string metadata_text(const util::JsonValue& value) {
  // The specification says strings; anything else is shown as written, not refused.
  return value.is_string()                             ? value.text
         : value.type == util::JsonValue::Type::number ? value.text
                                                       : "(not a string)";
}

Tensor read_tensor(const formats::ByteSource& source,
                   const std::string& name,
                   const util::JsonValue& entry,
                   std::uint64_t data_bytes) {
  if (!entry.is_object()) {
    fail(source, "tensor '" + name + "' is not a JSON object");
  }
  Tensor tensor;
  tensor.name = name;
  const auto dtype = entry.string_at("dtype");
  if (!dtype) {
    fail(source, "tensor '" + name + "' has no dtype");
  }
  tensor.dtype = *dtype;
  const auto* shape = entry.find("shape");
  if (shape == nullptr || !shape->is_array()) {
    fail(source, "tensor '" + name + "' has no shape list");
  }
  for (const auto& dimension : shape->items) {
    const auto size =
        dimension.type == util::JsonValue::Type::number ? dimension.as_unsigned() : std::nullopt;
    if (!size || *size > static_cast<std::uint64_t>(INT64_MAX)) {
      fail(source, "tensor '" + name + "' has a shape entry that is not a size");
    }
    tensor.shape.emplace_back(static_cast<std::int64_t>(*size));
  }
  const auto* offsets = entry.find("data_offsets");
  if (offsets == nullptr || !offsets->is_array() || offsets->items.size() != 2) {
    fail(source, "tensor '" + name + "' has no data_offsets pair");
  }
  const auto begin = offsets->items[0].as_unsigned();
  const auto end = offsets->items[1].as_unsigned();
  if (!begin || !end || *begin > *end || *end > data_bytes) {
    fail(source, "tensor '" + name + "' has data_offsets outside the " +
                     std::to_string(data_bytes) + " bytes of tensor data");
  }
  tensor.bytes = *end - *begin;
  const auto count = element_count(tensor.shape);
  const auto bits = element_bits(tensor.dtype);
  if (!count) {
    fail(source, "tensor '" + name + "' has a shape whose element count overflows");
  }
  if (bits && (*count > UINT64_MAX / *bits || (*count * *bits + 7) / 8 != *tensor.bytes)) {
    fail(source, "tensor '" + name + "' is " + tensor.dtype + " " + shape_text(tensor.shape) +
                     " but its data_offsets span " + std::to_string(*tensor.bytes) + " bytes");
  }
  return tensor;
}

} // namespace

void read_safetensors(const formats::ByteSource& source, Inspection& out) {
  formats::SourceCursor cursor(source, std::string(k_format));
  const std::uint64_t header_bytes = cursor.u64();
  if (header_bytes > probe::k_max_safetensors_header) {
    fail(source, "the header length " + std::to_string(header_bytes) + " exceeds the " +
                     std::to_string(probe::k_max_safetensors_header) + " bytes mlv accepts");
  }
  if (header_bytes > cursor.remaining()) {
    fail(source, "the header length " + std::to_string(header_bytes) +
                     " runs past the end of the file (" + std::to_string(source.size()) +
                     " bytes)");
  }
  const auto header =
      parse_json_or_fail(source, k_format, "the header", cursor.bytes(header_bytes));
  if (!header.is_object()) {
    fail(source, "the header is not a JSON object");
  }
  const std::uint64_t data_bytes = source.size() - k_length_bytes - header_bytes;

  std::set<std::string> dtypes;
  std::uint64_t parameters = 0;
  for (const auto& [name, entry] : header.members) {
    if (name == k_metadata_key) {
      if (!entry.is_object()) {
        fail(source, "__metadata__ is not a JSON object");
      }
      for (const auto& [key, value] : entry.members) {
        out.metadata.push_back({key, metadata_text(value)});
      }
      continue;
    }
    auto tensor = read_tensor(source, name, entry, data_bytes);
    add_checked(source, k_format, parameters, *element_count(tensor.shape));
    dtypes.insert(tensor.dtype);
    out.tensors.push_back(std::move(tensor));
  }
  out.add_fact("tensors", static_cast<std::uint64_t>(out.tensors.size()));
  out.add_fact("parameters", parameters);
  out.add_fact("dtypes", std::vector<std::string>(dtypes.begin(), dtypes.end()));
  out.add_fact("header_bytes", header_bytes);
}

} // namespace mlv::inspect::reader
