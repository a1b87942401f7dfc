// GGUF (github.com/ggml-org/ggml, docs/gguf.md): "GGUF", a version, the tensor and metadata
// counts, the metadata key/value pairs (typed; arrays of any type, nested), then one info record
// per tensor (name, dimensions, ggml type, offset into the aligned data section). Version 1 used
// 32-bit counts, lengths and dimensions; versions 2 and 3 use 64-bit ones.

#include "readers.hpp"

#include <mlv/formats/source_cursor.hpp>

#include <array>
#include <cstring>

namespace mlv::inspect::reader {

namespace {

constexpr std::string_view k_format = "GGUF";
constexpr std::uint32_t k_highest_version = 3;
constexpr std::uint64_t k_default_alignment = 32;
// The specification caps keys at 65535 bytes; ggml tensors have at most 4 dimensions.
constexpr std::uint64_t k_max_key_bytes = 65535;
constexpr std::uint32_t k_max_dimensions = 8;
// Arrays nest (an array of arrays); deeper than this is no file a tool wrote.
constexpr int k_max_array_depth = 8;
// Long strings (a chat template) and long arrays (a tokenizer's vocabulary) are summarised.
constexpr std::size_t k_max_shown_string = 1024;
constexpr std::uint64_t k_max_shown_array = 16;

enum ValueType : std::uint32_t {
  uint8 = 0,
  int8 = 1,
  uint16 = 2,
  int16 = 3,
  uint32 = 4,
  int32 = 5,
  float32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  uint64 = 10,
  int64 = 11,
  float64 = 12,
};

constexpr std::array<std::string_view, 13> k_value_type_names = {
    "uint8", "int8",   "uint16", "int16",  "uint32", "int32",  "float32",
    "bool",  "string", "array",  "uint64", "int64",  "float64"};

// ggml's tensor types by number (ggml.h, enum ggml_type); gaps are types that were removed.
constexpr std::array<std::string_view, 40> k_ggml_type_names = {
    "F32",     "F16",    "Q4_0",    "Q4_1",  "",       "",      "Q5_0",  "Q5_1",
    "Q8_0",    "Q8_1",   "Q2_K",    "Q3_K",  "Q4_K",   "Q5_K",  "Q6_K",  "Q8_K",
    "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
    "I8",      "I16",    "I32",     "I64",   "F64",    "IQ1_M", "BF16",  "",
    "",        "",       "TQ1_0",   "TQ2_0", "",       "",      "",      "MXFP4"};

struct BlockLayout {
  std::string_view type;
  std::uint64_t block_elements;
  std::uint64_t block_bytes;
};

// Bytes per block of the types whose layout is fixed in ggml-common.h; for the others a
// tensor's size is not computed (its offset is still checked).
constexpr std::array<BlockLayout, 20> k_block_layouts = {{
    {"F32", 1, 4},      {"F16", 1, 2},      {"BF16", 1, 2},     {"F64", 1, 8},
    {"I8", 1, 1},       {"I16", 1, 2},      {"I32", 1, 4},      {"I64", 1, 8},
    {"Q4_0", 32, 18},   {"Q4_1", 32, 20},   {"Q5_0", 32, 22},   {"Q5_1", 32, 24},
    {"Q8_0", 32, 34},   {"Q8_1", 32, 36},   {"Q2_K", 256, 84},  {"Q3_K", 256, 110},
    {"Q4_K", 256, 144}, {"Q5_K", 256, 176}, {"Q6_K", 256, 210}, {"Q8_K", 256, 292},
}};

// Bytes of one value of a fixed-size type; nullopt for strings and arrays.
std::optional<std::uint64_t> scalar_bytes(std::uint32_t type) {
  switch (type) {
  case uint8:
  case int8:
  case boolean:
    return 1;
  case uint16:
  case int16:
    return 2;
  case uint32:
  case int32:
  case float32:
    return 4;
  case uint64:
  case int64:
  case float64:
    return 8;
  default:
    return std::nullopt;
  }
}

std::string ggml_type_name(std::uint32_t type) {
  if (type < k_ggml_type_names.size() && !k_ggml_type_names[type].empty()) {
    return std::string(k_ggml_type_names[type]);
  }
  return "type " + std::to_string(type);
}

std::optional<std::uint64_t> tensor_bytes(const std::string& type, std::uint64_t elements) {
  for (const auto& layout : k_block_layouts) {
    if (layout.type == type) {
      if (elements % layout.block_elements != 0) {
        return std::nullopt;
      }
      return elements / layout.block_elements * layout.block_bytes;
    }
  }
  return std::nullopt;
}

class GgufReader {
public:
  GgufReader(const formats::ByteSource& source, Inspection& out)
      : cursor_(source, std::string(k_format)), out_(out) {}

  void read() {
    cursor_.skip(4); // the magic, checked by detection
    version_ = cursor_.u32();
    if (version_ == 0 || version_ > k_highest_version) {
      if ((version_ & 0xFFFF) == 0) {
        cursor_.fail("a big-endian GGUF file (version bytes " + std::to_string(version_) +
                     "); mlv reads little-endian GGUF only");
      }
      cursor_.fail("unknown GGUF version " + std::to_string(version_));
    }
    const std::uint64_t tensor_count = count();
    const std::uint64_t metadata_count = count();
    // Every pair and every tensor info takes several bytes: a count beyond the file is hostile.
    if (metadata_count > cursor_.remaining() / 9 || tensor_count > cursor_.remaining() / 24) {
      cursor_.fail("counts of " + std::to_string(tensor_count) + " tensors and " +
                   std::to_string(metadata_count) + " metadata pairs cannot fit in the file");
    }
    check_table_size(cursor_.source(), k_format, tensor_count, "tensors");
    check_table_size(cursor_.source(), k_format, metadata_count, "metadata keys");
    for (std::uint64_t i = 0; i < metadata_count; ++i) {
      read_pair();
    }
    for (std::uint64_t i = 0; i < tensor_count; ++i) {
      read_tensor_info();
    }
    check_tensor_offsets();
    add_facts(metadata_count);
  }

private:
  // A count or length: 32 bits in version 1, 64 from version 2.
  std::uint64_t count() { return version_ == 1 ? cursor_.u32() : cursor_.u64(); }

  std::string read_string(std::uint64_t max_kept) {
    const std::uint64_t length = count();
    if (length > cursor_.remaining()) {
      cursor_.fail("a string of " + std::to_string(length) + " bytes runs past the end");
    }
    const std::uint64_t kept = std::min(length, max_kept);
    std::string text = cursor_.bytes(kept);
    cursor_.skip(length - kept);
    if (kept < length) {
      text += "... (" + std::to_string(length) + " bytes)";
    }
    return text;
  }

  void read_pair() {
    const std::uint64_t key_length = count();
    if (key_length > k_max_key_bytes) {
      cursor_.fail("a metadata key of " + std::to_string(key_length) +
                   " bytes (the specification allows 65535)");
    }
    std::string key = cursor_.bytes(key_length);
    const std::uint32_t type = cursor_.u32();
    Value value = read_value(type, 0);
    if (key == "general.architecture") {
      architecture_ = std::get_if<std::string>(&value) ? std::get<std::string>(value) : "";
    } else if (key == "general.name" && std::holds_alternative<std::string>(value)) {
      name_ = std::get<std::string>(value);
    } else if (key == "general.alignment" && std::holds_alternative<std::uint64_t>(value)) {
      alignment_ = std::get<std::uint64_t>(value);
      if (alignment_ == 0 || alignment_ > (1u << 20) || (alignment_ & (alignment_ - 1)) != 0) {
        cursor_.fail("general.alignment " + std::to_string(alignment_) +
                     " is not a power of two up to 1 MiB");
      }
    }
    out_.metadata.push_back({std::move(key), std::move(value)});
  }

  Value read_value(std::uint32_t type, int depth) {
    switch (type) {
    case uint8:
      return std::uint64_t{cursor_.u8()};
    case int8:
      return std::int64_t{static_cast<std::int8_t>(cursor_.u8())};
    case uint16:
      return std::uint64_t{cursor_.u16()};
    case int16:
      return std::int64_t{static_cast<std::int16_t>(cursor_.u16())};
    case uint32:
      return std::uint64_t{cursor_.u32()};
    case int32:
      return std::int64_t{static_cast<std::int32_t>(cursor_.u32())};
    case uint64:
      return cursor_.u64();
    case int64:
      return static_cast<std::int64_t>(cursor_.u64());
    case float32: {
      const std::uint32_t bits = cursor_.u32();
      float number = 0;
      std::memcpy(&number, &bits, sizeof number);
      return double{number};
    }
    case float64: {
      const std::uint64_t bits = cursor_.u64();
      double number = 0;
      std::memcpy(&number, &bits, sizeof number);
      return number;
    }
    case boolean:
      return cursor_.u8() != 0;
    case string:
      return read_string(k_max_shown_string);
    case array:
      return read_array(depth);
    default:
      cursor_.fail("unknown metadata value type " + std::to_string(type));
    }
  }

  // Short arrays of scalars and strings are kept as lists; long ones (a vocabulary) as their
  // type and length, their elements stepped over.
  Value read_array(int depth) {
    if (depth >= k_max_array_depth) {
      cursor_.fail("metadata arrays nested more than " + std::to_string(k_max_array_depth) +
                   " deep");
    }
    const std::uint32_t element_type = cursor_.u32();
    const std::uint64_t length = count();
    if (length > cursor_.remaining()) {
      cursor_.fail("an array of " + std::to_string(length) + " elements cannot fit in the file");
    }
    const std::string type_name = element_type < k_value_type_names.size()
                                      ? std::string(k_value_type_names[element_type])
                                      : "type " + std::to_string(element_type);
    const std::string summary = "array of " + std::to_string(length) + " " + type_name;
    if (const auto size = scalar_bytes(element_type); size && length > k_max_shown_array) {
      if (length > cursor_.remaining() / *size) {
        cursor_.fail(summary + " cannot fit in the file");
      }
      cursor_.skip(length * *size); // a long numeric array (token scores): stepped over at once
      return summary;
    }
    std::vector<std::string> shown;
    for (std::uint64_t i = 0; i < length; ++i) {
      const Value element = read_value(element_type, depth + 1);
      if (length <= k_max_shown_array) {
        shown.push_back(value_text(element));
      }
    }
    if (length <= k_max_shown_array) {
      return shown;
    }
    return summary;
  }

  void read_tensor_info() {
    Tensor tensor;
    tensor.name = read_string(k_max_key_bytes);
    const std::uint32_t dimensions = cursor_.u32();
    if (dimensions > k_max_dimensions) {
      cursor_.fail("tensor '" + tensor.name + "' has " + std::to_string(dimensions) +
                   " dimensions");
    }
    for (std::uint32_t d = 0; d < dimensions; ++d) {
      const std::uint64_t size = version_ == 1 ? cursor_.u32() : cursor_.u64();
      if (size > static_cast<std::uint64_t>(INT64_MAX)) {
        cursor_.fail("tensor '" + tensor.name + "' has a dimension of " + std::to_string(size));
      }
      tensor.shape.emplace_back(static_cast<std::int64_t>(size));
    }
    tensor.dtype = ggml_type_name(cursor_.u32());
    const std::uint64_t offset = cursor_.u64();
    const auto elements = element_count(tensor.shape);
    if (!elements) {
      cursor_.fail("tensor '" + tensor.name + "' has an element count that overflows");
    }
    add_checked(cursor_.source(), k_format, parameters_, *elements);
    tensor.bytes = tensor_bytes(tensor.dtype, *elements);
    offsets_.push_back(offset);
    out_.tensors.push_back(std::move(tensor));
  }

  // The data section starts at the next multiple of the alignment after the tensor infos; every
  // tensor must lie inside it.
  void check_tensor_offsets() {
    const std::uint64_t info_end = cursor_.position();
    const std::uint64_t data_start = (info_end + alignment_ - 1) / alignment_ * alignment_;
    const std::uint64_t file_size = cursor_.source().size();
    for (std::size_t i = 0; i < out_.tensors.size(); ++i) {
      const auto& tensor = out_.tensors[i];
      const std::uint64_t bytes = tensor.bytes.value_or(0);
      if (data_start > file_size || offsets_[i] > file_size - data_start ||
          bytes > file_size - data_start - offsets_[i]) {
        formats::fail_bad_input(cursor_.source(), k_format,
                                "tensor '" + tensor.name + "' at data offset " +
                                    std::to_string(offsets_[i]) + " lies past the end of the file");
      }
    }
  }

  void add_facts(std::uint64_t metadata_count) {
    out_.add_fact("version", std::uint64_t{version_});
    if (!architecture_.empty()) {
      out_.add_fact("architecture", architecture_);
    }
    if (!name_.empty()) {
      out_.add_fact("name", name_);
    }
    out_.add_fact("tensors", static_cast<std::uint64_t>(out_.tensors.size()));
    out_.add_fact("parameters", parameters_);
    out_.add_fact("metadata_keys", metadata_count);
    out_.add_fact("alignment", alignment_);
  }

  formats::SourceCursor cursor_;
  Inspection& out_;
  std::uint32_t version_ = 0;
  std::uint64_t alignment_ = k_default_alignment;
  std::uint64_t parameters_ = 0;
  std::string architecture_;
  std::string name_;
  std::vector<std::uint64_t> offsets_;
};

} // namespace

void read_gguf(const formats::ByteSource& source, Inspection& out) {
  GgufReader(source, out).read();
}

} // namespace mlv::inspect::reader
