// Pickle and joblib files: what their first bytes say. The class names a pickle references and
// the numpy arrays joblib wrote are found by walking the opcodes (summarize_pickle), which fills
// Inspection::classes and ::arrays; nothing here walks, loads or runs the stream.

#include "probes.hpp"
#include "readers.hpp"

namespace mlv::inspect::reader {

namespace {

constexpr std::size_t k_head_bytes = 16;

// PROTO's protocol, or "0/1" for a stream without one: protocol 0 (text opcodes) and 1 (binary
// opcodes) differ only in which opcodes occur, which a walk of the stream tells.
Value protocol_of(std::string_view head) {
  if (const auto protocol = probe::declared_pickle_protocol(head)) {
    return static_cast<std::uint64_t>(*protocol);
  }
  return std::string("0/1");
}

} // namespace

void read_pickle(const ByteSource& source, Inspection& out) {
  out.add_fact("protocol", protocol_of(source.read_at(0, k_head_bytes)));
}

void read_joblib(const ByteSource& source, Inspection& out) {
  const std::string head = source.read_at(0, probe::k_head_bytes);
  const auto compression = detect_compression(head);
  if (compression == Compression::none) {
    out.add_fact("compression", std::string("none"));
    out.add_fact("protocol", protocol_of(head));
    return;
  }
  out.add_fact("compression", std::string(compression_name(compression)));
  // The pickle inside tells its protocol once decompressed (lz4 is not decoded: no protocol).
  if (const auto inner = probe::decompressed_head(source, compression); !inner.empty()) {
    out.add_fact("protocol", protocol_of(inner));
  }
}

} // namespace mlv::inspect::reader
