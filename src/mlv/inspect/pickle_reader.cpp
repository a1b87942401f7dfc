// Pickle and joblib files: their protocol and compression, and from a walk of the opcodes
// (summarize_pickle, which never loads or runs anything) the root object's class and the numpy
// arrays joblib wrote.

#include "probes.hpp"
#include "readers.hpp"

#include <mlv/formats/decompress.hpp>
#include <mlv/formats/pickle_machine.hpp>
#include <mlv/util/error.hpp>

namespace mlv::inspect::reader {

namespace {

constexpr std::size_t k_head_bytes = 16;

// PROTO's protocol, or "0/1" for a stream without one: protocol 0 (text opcodes) and 1 (binary
// opcodes) differ only in which opcodes occur, which a walk of the stream tells.
Value protocol_of(std::string_view head) {
  if (const auto protocol = formats::declared_pickle_protocol(head)) {
    return static_cast<std::uint64_t>(*protocol);
  }
  return std::string("0/1");
}

} // namespace

void add_pickle_walk(formats::ByteStream& stream, Inspection& out) {
  try {
    const auto summary = formats::summarize_pickle(stream);
    out.classes = summary.root_classes;
    for (const auto& array : summary.arrays) {
      Tensor tensor;
      tensor.name = "array " + std::to_string(out.arrays.size());
      tensor.dtype = array.dtype;
      for (const auto length : array.shape) {
        tensor.shape.emplace_back(static_cast<std::int64_t>(length));
      }
      if (!array.objects) {
        tensor.bytes = array.bytes;
      }
      out.arrays.push_back(std::move(tensor));
    }
    // A decompression bomb is refused outright: the summary took it for the stream's end, and
    // reading on raises the held error again.
    if (formats::stopped_at_output_limit(stream)) {
      char byte = 0;
      stream.read(&byte, 1);
    }
    if (!summary.complete) {
      out.add_fact("pickle_note", std::string("the stream ends before its STOP opcode"));
    }
  } catch (const Error& error) {
    // A decompression bomb is refused outright, not reported as far as it went.
    if (formats::stopped_at_output_limit(stream)) {
      throw;
    }
    out.add_fact("pickle_note", std::string("not read to its end: ") + error.what());
  }
}

void read_pickle(const formats::ByteSource& source, Inspection& out) {
  out.add_fact("protocol", protocol_of(source.read_at(0, k_head_bytes)));
  formats::SourceStream stream(source);
  add_pickle_walk(stream, out);
}

void read_joblib(const formats::ByteSource& source, Inspection& out) {
  const std::string head = source.read_at(0, probe::k_head_bytes);
  const auto compression = formats::detect_compression(head);
  if (compression == formats::Compression::none) {
    out.add_fact("compression", std::string("none"));
    out.add_fact("protocol", protocol_of(head));
    formats::SourceStream stream(source);
    add_pickle_walk(stream, out);
    return;
  }
  out.add_fact("compression", std::string(formats::compression_name(compression)));
  // The pickle inside tells its protocol once decompressed (lz4 is not decoded: no protocol).
  if (const auto inner = probe::decompressed_head(source, compression); !inner.empty()) {
    out.add_fact("protocol", protocol_of(inner));
    auto stream =
        formats::open_decompressed(std::make_unique<formats::SourceStream>(source), compression);
    add_pickle_walk(*stream, out);
  }
}

} // namespace mlv::inspect::reader
