// Tar archives, read front to back: every member's content is scanned, and the members of
// PyTorch's oldest format (a tar of "sys_info", "pickle", "storages" and "tensors", where pickles
// alternate with raw data) are walked the way torch.load reads them.

#include "scanner.hpp"
#include "streams.hpp"

#include <mlv/formats/tar_header.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <optional>

namespace mlv::scan::detail {

namespace {

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

// The records of a pax extended header ("LEN key=value\n"), as tarfile reads them; nothing
// when a record is malformed (tarfile then refuses the archive).
std::optional<std::map<std::string, std::string>> pax_records(const std::string& records) {
  std::map<std::string, std::string> out;
  for (std::size_t at = 0; at < records.size() && records[at] != '\0';) {
    const auto space = records.find(' ', at);
    if (space == std::string::npos) {
      return std::nullopt;
    }
    const auto length = formats::python_int(std::string_view(records).substr(at, space - at), 10);
    if (!length || *length < 5 || static_cast<std::uint64_t>(*length) > records.size() - at) {
      return std::nullopt;
    }
    const auto end = at + static_cast<std::size_t>(*length) - 1;
    const auto equals = records.find('=', space + 1);
    if (records[end] != '\n' || equals == std::string::npos || equals >= end) {
      return std::nullopt;
    }
    out[records.substr(space + 1, equals - space - 1)] =
        records.substr(equals + 1, end - equals - 1);
    at = end + 1;
  }
  return out;
}

// tarfile's _block(): a size rounded up to whole blocks.
std::uint64_t blocks_of(std::uint64_t size) {
  return (size + formats::k_tar_block - 1) / formats::k_tar_block * formats::k_tar_block;
}

std::optional<std::int64_t> known_integer(const formats::PickleValue* value) {
  if (value == nullptr || value->kind != formats::PickleValue::Kind::integer || !value->complete) {
    return std::nullopt;
  }
  return value->integer;
}

// Little-endian signed integer of `width` bytes, read from the input.
std::optional<std::int64_t> read_integer(formats::PickleInput& input, std::size_t width) {
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
std::optional<std::int64_t> count_pickle(formats::PickleInput& input, Scanner& scanner) {
  const auto run = scan_pickle(input, scanner, nullptr);
  if (run.end != formats::PickleRun::End::stop) {
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
void scan_legacy_storages(formats::PickleInput& input, Scanner& scanner) {
  const auto count = count_pickle(input, scanner);
  if (!count) {
    return;
  }
  for (std::int64_t i = 0; i < *count; ++i) {
    const auto run = scan_pickle(input, scanner, nullptr);
    const formats::PickleValue* type = run.root != nullptr ? run.root->item(2) : nullptr;
    std::optional<std::uint64_t> item_size;
    for (const auto& [name, size] : k_storage_item_sizes) {
      if (type != nullptr && type->kind == formats::PickleValue::Kind::global &&
          type->name == name) {
        item_size = size;
      }
    }
    const auto items = read_integer(input, 8);
    if (run.end != formats::PickleRun::End::stop || !item_size || !items || *items < 0 ||
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
void scan_legacy_tensors(formats::PickleInput& input, Scanner& scanner) {
  const auto count = count_pickle(input, scanner);
  if (!count) {
    return;
  }
  for (std::int64_t i = 0; i < *count; ++i) {
    const auto run = scan_pickle(input, scanner, nullptr);
    const auto dimensions = read_integer(input, 4);
    if (run.end != formats::PickleRun::End::stop || !dimensions || *dimensions < 0 ||
        *dimensions > k_max_records) {
      scanner.unscanned(input.offset(), "a legacy PyTorch tensor whose shape cannot be read");
      return;
    }
    input.skip(4 + 16 * static_cast<std::uint64_t>(*dimensions) + 8);
  }
}

void scan_tar_member(const std::string& name, formats::ByteStream& data, Scanner& scanner) {
  Scanner::Layer layer(scanner, "tar", name);
  if (name == "storages" || name == "tensors") {
    Scanner::Layer pickle(scanner, "pickle", {});
    formats::PickleInput input(data);
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

void scan_tar(formats::ByteStream& stream, Scanner& scanner) {
  // What pax ('x', or global 'g') and GNU ('L') headers say of the next member.
  std::map<std::string, std::string> global_pax;
  std::map<std::string, std::string> next_pax;
  std::optional<std::string> long_name;
  for (bool first = true;; first = false) {
    const std::string block = formats::read_up_to(stream, formats::k_tar_block);
    if (block.size() < formats::k_tar_block) {
      return; // tarfile stops at a truncated header too
    }
    formats::TarHeader header;
    const formats::TarBlock kind = formats::parse_tar_header(block, header);
    if (kind == formats::TarBlock::end) {
      return; // the end: tarfile reads no further
    }
    if (kind == formats::TarBlock::invalid) {
      if (!first) {
        scanner.note("a block that is no tar header (tarfile stops there); the rest is not "
                     "scanned");
      }
      return;
    }
    if (header.size < 0) {
      scanner.unscanned(0, "could not read a tar header with a negative size, which moves "
                           "tarfile backwards");
      return;
    }
    if (header.type == 'L' || header.type == 'K' || header.type == 'x' || header.type == 'X' ||
        header.type == 'g') {
      const auto size = static_cast<std::uint64_t>(header.size);
      LimitedStream data(stream, blocks_of(size));
      const std::string metadata =
          formats::read_up_to(data, static_cast<std::size_t>(std::min(size, k_max_metadata)));
      data.skip(data.left());
      if (header.type == 'L') {
        long_name = std::string(metadata.substr(0, metadata.find('\0')));
      } else if (header.type != 'K') {
        const auto records = pax_records(metadata);
        if (!records || size > k_max_metadata) {
          scanner.unscanned(0, "could not read a pax header of the tar archive");
          return;
        }
        auto& into = header.type == 'g' ? global_pax : next_pax;
        for (const auto& [key, value] : *records) {
          into[key] = value;
        }
        if (header.type == 'g' &&
            (records->contains("size") || records->contains("GNU.sparse.size") ||
             records->contains("GNU.sparse.realsize"))) {
          // tarfile reads members with a global size but steps by their headers' sizes.
          scanner.unscanned(0, "could not read a tar archive whose global pax header sets a size");
          return;
        }
      }
      continue;
    }
    if (header.sparse_extended) {
      // Old GNU sparse: extension blocks, each saying whether another follows (byte 504).
      for (;;) {
        const std::string extension = formats::read_up_to(stream, formats::k_tar_block);
        if (extension.size() < formats::k_tar_block) {
          return;
        }
        if (extension[504] == '\0') {
          break;
        }
      }
    }
    std::string name = header.name;
    if (long_name) {
      name = *long_name;
    }
    std::optional<std::int64_t> size = header.size;
    for (const auto* pax : {&global_pax, &next_pax}) {
      for (const char* key : {"GNU.sparse.name", "path"}) {
        if (const auto found = pax->find(key); found != pax->end()) {
          name = found->second;
        }
      }
      for (const char* key : {"GNU.sparse.size", "GNU.sparse.realsize", "size"}) {
        if (const auto found = pax->find(key); found != pax->end()) {
          size = formats::python_int(found->second, 10).value_or(0);
        }
      }
    }
    next_pax.clear();
    long_name.reset();
    if (*size < 0) {
      scanner.unscanned(0, "could not read a tar member with a negative size");
      return;
    }
    if (!formats::tar_type_has_data(header.type)) {
      continue; // a directory, link or device: the next header follows at once
    }
    const auto length = static_cast<std::uint64_t>(*size);
    LimitedStream data(stream, length);
    scan_tar_member(name, data, scanner);
    data.skip(data.left());
    const std::uint64_t padding = blocks_of(length) - length;
    if (stream.skip(padding) != padding) {
      return;
    }
  }
}

} // namespace mlv::scan::detail
