#pragma once

// The one content classifier: what the first bytes of some content are, from those bytes alone
// (magic numbers, a tar header's checksum, the first pickle opcodes, a compressor's header).
// Nothing is run or decoded. Several kinds can hold at once: a protocol 0 pickle's "(S" is also
// a zlib header, "BZh" and a tar member's name are also opcodes an unpickler runs. So every kind
// is reported, and each caller asks in its own order: inspect's detect_format names a model
// file's format (docs/formats-detection.md), scan's content walker picks the container to open
// and also scans the bytes as whatever else a loader could take them for (docs/safety.md).

#include <mlv/formats/decompress.hpp>
#include <mlv/formats/pickle_probe.hpp>

#include <cstdint>
#include <string_view>

namespace mlv::formats {

struct ContentKinds {
  bool zip = false;       // "PK\3\4": an archive that starts with a member's local header
  bool empty_zip = false; // "PK\5\6": the end record of an archive without members
  bool numpy = false;     // "\x93NUMPY", as numpy.load tests it
  // The .npy format's major version byte after the magic; 0 when the head ends before it.
  std::uint8_t numpy_major = 0;
  bool gguf = false; // "GGUF"
  // A 512-byte block whose checksum is right for a tar header, with or without the ustar magic,
  // as tarfile (and so torch.load) takes it.
  bool tar = false;
  PickleKind pickle = PickleKind::none; // how pickle.dump starts a stream (classify_pickle)
  // starts_like_pickle: `pickle`, or a PROTO of any protocol then an opcode.
  bool pickle_opcodes = false;
  Compression compression = Compression::none; // detect_compression
  // unpickler_would_run: pickle.load would run the first opcode, whoever wrote the bytes.
  bool runs_as_pickle = false;

  // A .npy file of a format version that exists (1 to 3) or may (up to 9).
  bool numpy_file() const { return numpy && numpy_major >= 1 && numpy_major <= 9; }
};

// Classifies content by `head`, its first bytes: as many as the caller looks at (a tar header
// needs 512, text pickles are judged on what fits).
ContentKinds classify_content(std::string_view head);

} // namespace mlv::formats
