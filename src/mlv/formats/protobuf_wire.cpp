#include <mlv/formats/protobuf_wire.hpp>

#include <algorithm>

namespace mlv::formats {

namespace {

constexpr int k_max_varint_bytes = 10;
// A packed run longer than this is not a list of dimensions; it is refused, not read.
constexpr std::uint64_t k_max_packed_bytes = 1 << 20;

} // namespace

ProtoReader::ProtoReader(const ByteSource& source,
                         std::string format,
                         std::uint64_t begin,
                         std::uint64_t end)
    : source_(source), format_(format), cursor_(source, std::move(format), begin, end) {}

std::uint64_t ProtoReader::read_varint() {
  std::uint64_t value = 0;
  for (int i = 0; i < k_max_varint_bytes; ++i) {
    if (cursor_.at_end()) {
      cursor_.fail("a protobuf varint runs past the end of its message");
    }
    const auto byte = cursor_.u8();
    value |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      return value;
    }
  }
  cursor_.fail("a protobuf varint is longer than 10 bytes");
}

std::optional<ProtoField> ProtoReader::next() {
  if (cursor_.at_end()) {
    return std::nullopt;
  }
  const std::uint64_t key = read_varint();
  ProtoField field;
  field.number = static_cast<std::uint32_t>(key >> 3);
  if (field.number == 0 || (key >> 3) > 0x1FFFFFFF) {
    cursor_.fail("a protobuf field number " + std::to_string(key >> 3) + " is out of range");
  }
  switch (key & 0x7) {
  case 0:
    field.wire_type = WireType::varint;
    field.value = read_varint();
    break;
  case 1:
    field.wire_type = WireType::fixed64;
    field.value = cursor_.u64();
    break;
  case 2:
    field.wire_type = WireType::length_delimited;
    field.length = read_varint();
    field.offset = cursor_.position();
    if (field.length > cursor_.remaining()) {
      cursor_.fail("protobuf field " + std::to_string(field.number) + " claims " +
                   std::to_string(field.length) + " bytes but its message has " +
                   std::to_string(cursor_.remaining()) + " left");
    }
    cursor_.skip(field.length);
    break;
  case 5:
    field.wire_type = WireType::fixed32;
    field.value = cursor_.u32();
    break;
  default:
    cursor_.fail("protobuf field " + std::to_string(field.number) + " has wire type " +
                 std::to_string(key & 0x7) + ", which this format never uses");
  }
  return field;
}

ProtoReader ProtoReader::nested(const ProtoField& field) const {
  return ProtoReader(source_, format_, field.offset, field.offset + field.length);
}

std::string ProtoReader::text(const ProtoField& field, std::size_t max_bytes) const {
  SourceCursor cursor(source_, format_, field.offset, field.offset + field.length);
  return cursor.bytes(std::min<std::uint64_t>(field.length, max_bytes));
}

std::vector<std::uint64_t> ProtoReader::varints(const ProtoField& field) const {
  if (field.wire_type == WireType::varint) {
    return {field.value};
  }
  if (field.wire_type != WireType::length_delimited) {
    return {};
  }
  if (field.length > k_max_packed_bytes) {
    fail_bad_input(source_, format_,
                   "a packed list of " + std::to_string(field.length) + " bytes at byte " +
                       std::to_string(field.offset) + " is implausibly long");
  }
  ProtoReader packed(source_, format_, field.offset, field.offset + field.length);
  std::vector<std::uint64_t> values;
  while (!packed.cursor_.at_end()) {
    values.push_back(packed.read_varint());
  }
  return values;
}

} // namespace mlv::formats
