#pragma once

// The protobuf wire format (protobuf.dev, "Encoding"), read in
// place from a file so that a 2 GiB ONNX model's weights are stepped over, never loaded.

#include <mlv/formats/source_cursor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlv::formats {

enum class WireType : std::uint8_t {
  varint = 0,
  fixed64 = 1,
  length_delimited = 2,
  fixed32 = 5,
};

// One field of a message: its number and wire type, the value of a scalar, and where the payload
// of a length-delimited field lies in the file.
struct ProtoField {
  std::uint32_t number = 0;
  WireType wire_type = WireType::varint;
  std::uint64_t value = 0;  // varint, fixed64 or fixed32
  std::uint64_t offset = 0; // length-delimited: payload start
  std::uint64_t length = 0; // length-delimited: payload size
};

// The fields of one message occupying [begin, end) of a source, in file order. A key, varint or
// length that runs past the message is Error(bad_input) naming the file.
class ProtoReader {
public:
  ProtoReader(const ByteSource& source, std::string format, std::uint64_t begin, std::uint64_t end);

  // The next field with its payload skipped, or nullopt at the end of the message. Groups
  // (wire types 3 and 4, deprecated) are refused: ONNX and TensorFlow never write them.
  std::optional<ProtoField> next();

  // A length-delimited field as a message of its own.
  ProtoReader nested(const ProtoField& field) const;
  // A length-delimited field's bytes, at most `max_bytes` of them (names and versions are short;
  // a longer one is cut, not refused).
  std::string text(const ProtoField& field, std::size_t max_bytes = k_max_text_bytes) const;
  // The values of a repeated integer field: one varint, or a packed run of them.
  std::vector<std::uint64_t> varints(const ProtoField& field) const;

  const ByteSource& source() const { return source_; }

  static constexpr std::size_t k_max_text_bytes = 4096;

private:
  std::uint64_t read_varint();

  const ByteSource& source_;
  std::string format_;
  SourceCursor cursor_;
};

} // namespace mlv::formats
