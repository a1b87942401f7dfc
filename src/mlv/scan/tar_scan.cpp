// Tar archives, read front to back: every member's content is scanned, and the members of
// PyTorch's oldest format (a tar of "sys_info", "pickle", "storages" and "tensors", where pickles
// alternate with raw data) are walked the way torch.load reads them.

#include "scanner.hpp"
#include "streams.hpp"

#include <array>
#include <optional>

namespace mlv::scan::detail {

namespace {

constexpr std::size_t k_block = 512;
constexpr std::size_t k_name_length = 100;
constexpr std::size_t k_size_offset = 124;
constexpr std::size_t k_size_length = 12;
constexpr std::size_t k_type_offset = 156;
constexpr std::size_t k_magic_offset = 257;
constexpr std::size_t k_prefix_offset = 345;
constexpr std::size_t k_prefix_length = 155;
constexpr char k_gnu_long_name = 'L';
constexpr char k_pax_header = 'x';
// Names and pax headers longer than this are not kept (their members are still scanned).
constexpr std::uint64_t k_max_metadata = 1 << 20;
// Counts read from a legacy PyTorch member are not believed past this.
constexpr std::int64_t k_max_records = 1 << 24;

// Item sizes of torch's storage classes, for stepping over the raw data of legacy "storages".
constexpr auto k_storage_item_sizes = std::to_array<std::pair<std::string_view, std::uint64_t>>({
    {"FloatStorage", 4},
    {"DoubleStorage", 8},
    {"HalfStorage", 2},
    {"BFloat16Storage", 2},
    {"LongStorage", 8},
    {"IntStorage", 4},
    {"ShortStorage", 2},
    {"CharStorage", 1},
    {"ByteStorage", 1},
    {"BoolStorage", 1},
    {"ComplexFloatStorage", 8},
    {"ComplexDoubleStorage", 16},
    {"QInt8Storage", 1},
    {"QUInt8Storage", 1},
    {"QInt32Storage", 4},
    {"QUInt4x2Storage", 1},
    {"QUInt2x4Storage", 1},
});

std::string field(const std::string& header, std::size_t offset, std::size_t length) {
  const auto text = std::string_view(header).substr(offset, length);
  return std::string(text.substr(0, text.find('\0')));
}

// A size field: octal digits, or (GNU) base-256 when the first byte's high bit is set.
std::optional<std::uint64_t> size_field(const std::string& header) {
  const auto text = std::string_view(header).substr(k_size_offset, k_size_length);
  std::uint64_t value = 0;
  if ((static_cast<unsigned char>(text[0]) & 0x80) != 0) {
    for (std::size_t i = 1; i < text.size(); ++i) {
      if (value >> 56 != 0) {
        return std::nullopt;
      }
      value = value << 8 | static_cast<unsigned char>(text[i]);
    }
    return value;
  }
  for (const char c : text) {
    if (c == ' ' || c == '\0') {
      if (value != 0) {
        break;
      }
      continue;
    }
    if (c < '0' || c > '7' || value >> 60 != 0) {
      return std::nullopt;
    }
    value = value * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// The "path" record of a pax extended header ("LEN path=VALUE\n" records).
std::optional<std::string> pax_path(const std::string& records) {
  for (std::size_t at = 0; at < records.size();) {
    const auto space = records.find(' ', at);
    const auto end = records.find('\n', at);
    if (space == std::string::npos || end == std::string::npos || space > end) {
      break;
    }
    const auto record = std::string_view(records).substr(space + 1, end - space - 1);
    if (record.starts_with("path=")) {
      return std::string(record.substr(5));
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<std::int64_t> known_integer(const inspect::PickleValue* value) {
  if (value == nullptr || value->kind != inspect::PickleValue::Kind::integer || !value->complete) {
    return std::nullopt;
  }
  return value->integer;
}

// Little-endian signed integer of `width` bytes, read from the input.
std::optional<std::int64_t> read_integer(inspect::PickleInput& input, std::size_t width) {
  std::string bytes;
  if (input.read(bytes, width, width) != width) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  if (width == 4) {
    return static_cast<std::int32_t>(value);
  }
  return static_cast<std::int64_t>(value);
}

// A count pickled at the start of "storages" and "tensors"; nothing when the pickle fails.
std::optional<std::int64_t> count_pickle(inspect::PickleInput& input, Scanner& scanner) {
  const auto run = scan_pickle(input, scanner, nullptr);
  if (run.end != inspect::PickleRun::End::stop) {
    return std::nullopt;
  }
  const auto count = known_integer(run.root);
  if (!count || *count < 0 || *count > k_max_records) {
    scanner.unscanned(run.end_offset, "an unreadable record count in a legacy PyTorch member");
    return std::nullopt;
  }
  return count;
}

// torch.load's legacy_load: a count, then per storage a pickled (key, location, storage_type)
// and the storage's raw data (an int64 item count, then the items), then the views' pickle.
void scan_legacy_storages(inspect::PickleInput& input, Scanner& scanner) {
  const auto count = count_pickle(input, scanner);
  if (!count) {
    return;
  }
  for (std::int64_t i = 0; i < *count; ++i) {
    const auto run = scan_pickle(input, scanner, nullptr);
    const inspect::PickleValue* type = run.root != nullptr ? run.root->item(2) : nullptr;
    std::optional<std::uint64_t> item_size;
    for (const auto& [name, size] : k_storage_item_sizes) {
      if (type != nullptr && type->kind == inspect::PickleValue::Kind::global &&
          type->name == name) {
        item_size = size;
      }
    }
    const auto items = read_integer(input, 8);
    if (run.end != inspect::PickleRun::End::stop || !item_size || !items || *items < 0 ||
        static_cast<std::uint64_t>(*items) > UINT64_MAX / *item_size) {
      scanner.unscanned(input.offset(), "a legacy PyTorch storage whose size cannot be read");
      return;
    }
    input.skip(static_cast<std::uint64_t>(*items) * *item_size);
  }
  scan_pickle(input, scanner, nullptr);
}

// ... and a count, then per tensor a pickled (key, storage_id, type) and its raw geometry:
// int32 ndim, 4 unused bytes, ndim int64 sizes, ndim int64 strides, an int64 offset.
void scan_legacy_tensors(inspect::PickleInput& input, Scanner& scanner) {
  const auto count = count_pickle(input, scanner);
  if (!count) {
    return;
  }
  for (std::int64_t i = 0; i < *count; ++i) {
    const auto run = scan_pickle(input, scanner, nullptr);
    const auto dimensions = read_integer(input, 4);
    if (run.end != inspect::PickleRun::End::stop || !dimensions || *dimensions < 0 ||
        *dimensions > k_max_records) {
      scanner.unscanned(input.offset(), "a legacy PyTorch tensor whose shape cannot be read");
      return;
    }
    input.skip(4 + 16 * static_cast<std::uint64_t>(*dimensions) + 8);
  }
}

void scan_tar_member(const std::string& name, inspect::ByteStream& data, Scanner& scanner) {
  Scanner::Layer layer(scanner, "tar", name);
  if (name == "storages" || name == "tensors") {
    Scanner::Layer pickle(scanner, "pickle", {});
    inspect::PickleInput input(data);
    if (name == "storages") {
      scan_legacy_storages(input, scanner);
    } else {
      scan_legacy_tensors(input, scanner);
    }
    return;
  }
  scan_content(data, scanner);
}

} // namespace

void scan_tar(inspect::ByteStream& stream, Scanner& scanner) {
  std::optional<std::string> next_name;
  for (;;) {
    const std::string header = inspect::read_up_to(stream, k_block);
    if (header.size() < k_block || header.find_first_not_of('\0') == std::string::npos) {
      return; // the end, marked by zero blocks (or the data ran out)
    }
    const auto size = size_field(header);
    if (!size) {
      scanner.note("a tar header with an unreadable size; the rest is not scanned");
      return;
    }
    const char type = header[k_type_offset];
    std::string name = field(header, 0, k_name_length);
    const std::string prefix = field(header, k_prefix_offset, k_prefix_length);
    if (header.compare(k_magic_offset, 5, "ustar") == 0 && !prefix.empty()) {
      name = prefix + "/" + name;
    }
    LimitedStream data(stream, *size);
    if (type == k_gnu_long_name || type == k_pax_header) {
      std::string metadata =
          inspect::read_up_to(data, static_cast<std::size_t>(std::min(*size, k_max_metadata)));
      next_name = type == k_gnu_long_name ? std::optional(field(metadata, 0, metadata.size()))
                                          : pax_path(metadata);
    } else {
      if (next_name) {
        name = *next_name;
        next_name.reset();
      }
      if (type == '0' || type == '\0' || type == '7') {
        scan_tar_member(name, data, scanner);
      }
    }
    data.skip(data.left());
    const std::uint64_t padding = (k_block - *size % k_block) % k_block;
    if (stream.skip(padding) != padding) {
      return;
    }
  }
}

} // namespace mlv::scan::detail
