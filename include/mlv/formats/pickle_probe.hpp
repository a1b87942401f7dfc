#pragma once

// Looks at the first bytes of a pickle stream without running it: what detection and the
// content classifier (content.hpp) ask of a pickle.

#include <mlv/formats/byte_source.hpp>

#include <optional>
#include <string_view>

namespace mlv::formats {

// The module of joblib's array wrapper, which every joblib pickle names.
inline constexpr std::string_view k_joblib_module = "joblib.numpy_pickle";

// torch.save's legacy format starts with its magic number pickled as LONG1:
// 0x1950a86a20f9469cfc6c, ten bytes little-endian (torch/serialization.py MAGIC_NUMBER).
constexpr std::string_view k_torch_legacy_magic =
    "\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
enum class PickleKind { none, pickle, torch_legacy };
// Whether `head` starts as pickle.dump writes: PROTO 2 to 5 then an opcode, or protocol 0/1
// opcodes that parse; torch_legacy when the first value is torch's legacy magic.
PickleKind classify_pickle(std::string_view head);
// The protocol a PROTO opcode at the start declares (2 to 5); nullopt for a stream without one
// (protocol 0 or 1).
std::optional<int> declared_pickle_protocol(std::string_view head);
// Whether the stream references joblib's numpy_pickle module within its first MiB.
bool references_joblib(const ByteSource& source);

} // namespace mlv::formats
