#include "scanner.hpp"
#include "streams.hpp"

#include <mlv/formats/content.hpp>
#include <mlv/formats/decompress.hpp>
#include <mlv/util/error.hpp>

#include <optional>

namespace mlv::scan::detail {

namespace {

// Bytes looked at to tell a kind of content: a whole tar header.
constexpr std::size_t k_head_bytes = 512;
// A zip reached only as a stream (inside a compressed stream or a deflated member) is read into
// memory up to this size, since its directory is at its end.
constexpr std::uint64_t k_max_buffered_zip = 256ull << 20;
// maybe_pickle: bytes an unpickler would run that do not start as pickle.dump writes.
enum class Content { none, zip, tar, npy, compressed, pickle, maybe_pickle };

// The container to open first; bytes that are also something else a loader would take them for
// are scanned as that too (scan_content).
Content classify(const formats::ContentKinds& kinds) {
  if (kinds.zip || kinds.empty_zip) {
    return Content::zip;
  }
  if (kinds.numpy) {
    return Content::npy;
  }
  // tarfile (and so torch.load) takes any block whose checksum is right for a header, with or
  // without the ustar magic.
  if (kinds.tar) {
    return Content::tar;
  }
  // Before compression: two bytes of a protocol 0 pickle ("(S") can pass for a zlib header,
  // while a pickle is only taken for one when its first opcodes parse.
  if (kinds.pickle_opcodes) {
    return Content::pickle;
  }
  if (kinds.compression != formats::Compression::none) {
    return Content::compressed;
  }
  // Whatever else an unpickler would start to run is walked too, for unsafe calls only: bytes
  // no pickle.dump wrote ("N0" before a payload) still run when loaded.
  if (kinds.runs_as_pickle) {
    return Content::maybe_pickle;
  }
  return Content::none;
}

// A zip that only a stream reaches, read into memory.
void scan_buffered_zip(formats::ByteStream& stream, Scanner& scanner) {
  std::string bytes = formats::read_up_to(stream, static_cast<std::size_t>(k_max_buffered_zip));
  if (stream.skip(1) != 0) {
    scanner.unscanned(0, "zip archive larger than " + std::to_string(k_max_buffered_zip >> 20) +
                             " MiB inside a compressed stream");
    return;
  }
  scan_zip(formats::MemorySource(std::move(bytes), stream.name()), scanner);
}

// joblib's compress= outputs (and any other stream those compressors made): what they
// decompress to is scanned as content of its own.
// `speculative`: the bytes were already scanned as something else, so data that does not
// decompress is only noted.
// A decompressed stream that ends where its decoding fails. The loader's decompressor (zlib,
// bz2, lzma) fails at the same byte, so what decoded before the fault is all a loader can
// unpickle: it is scanned in full, and the fault is a note. Data that only looks compressed
// (random bytes behind a two-byte zlib header) fails at once and so yields nothing to judge.
class DecodedUntilFault : public formats::ByteStream {
public:
  DecodedUntilFault(formats::ByteStream& stream, Scanner& scanner)
      : stream_(stream), scanner_(scanner) {}
  std::size_t read(char* out, std::size_t n) override {
    return ended_ ? 0 : guarded([&] { return stream_.read(out, n); });
  }
  std::uint64_t skip(std::uint64_t n) override {
    return ended_ ? 0 : guarded([&] { return stream_.skip(n); });
  }
  const std::string& name() const override { return stream_.name(); }

private:
  template <typename Step>
  auto guarded(Step step) -> decltype(step()) {
    try {
      return step();
    } catch (const Error& error) {
      if (error.kind() != Failure::invalid_input) {
        throw;
      }
      ended_ = true;
      // A bomb stops mlv, not the loader: what follows the limit is not seen.
      if (formats::stopped_at_output_limit(stream_)) {
        scanner_.unscanned(0, error.what());
        return 0;
      }
      scanner_.note(std::string("the compressed data ends in a fault, where the loader stops "
                                "too: ") +
                    error.what());
      return 0;
    }
  }

  formats::ByteStream& stream_;
  Scanner& scanner_;
  bool ended_ = false;
};

void scan_compressed(formats::Compression kind,
                     formats::ByteStream& stream,
                     Scanner& scanner,
                     bool speculative) {
  Scanner::Layer layer(scanner, std::string(formats::compression_name(kind)), {});
  // Data that only might be compressed: that it does not decompress is no finding.
  std::optional<Scanner::UnsafeOnly> unsafe_only;
  if (speculative) {
    unsafe_only.emplace(scanner);
  }
  std::unique_ptr<formats::ByteStream> decompressed;
  try {
    decompressed = formats::open_decompressed(std::make_unique<BorrowedStream>(stream), kind);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    if (speculative) {
      scanner.note(error.what());
    } else {
      scanner.unscanned(0, error.what());
    }
    return;
  }
  DecodedUntilFault until_fault(*decompressed, scanner);
  scan_content(until_fault, scanner);
}

void scan_classified(Content content,
                     const formats::ContentKinds& kinds,
                     formats::ByteStream& stream,
                     const formats::ByteSource* source,
                     Scanner& scanner) {
  if (content != Content::none && scanner.too_deep()) {
    scanner.unscanned(0, "containers nested deeper than " + std::to_string(k_max_depth));
    return;
  }
  switch (content) {
  case Content::zip:
    if (source != nullptr) {
      scan_zip(*source, scanner);
    } else {
      scan_buffered_zip(stream, scanner);
    }
    return;
  case Content::tar:
    scan_tar(stream, scanner);
    return;
  case Content::npy:
    scan_npy(stream, scanner);
    return;
  case Content::compressed:
    scan_compressed(kinds.compression, stream, scanner, false);
    return;
  case Content::pickle: {
    formats::PickleInput input(stream);
    scan_pickle_sequence(input, scanner, nullptr);
    return;
  }
  case Content::maybe_pickle: {
    const Scanner::UnsafeOnly unsafe_only(scanner);
    formats::PickleInput input(stream);
    scan_pickle_sequence(input, scanner, nullptr);
    return;
  }
  case Content::none:
    return;
  }
}

} // namespace

void scan_content(const formats::ByteSource& source, Scanner& scanner) {
  const std::string head = source.read_at(0, k_head_bytes);
  const auto kinds = formats::classify_content(head);
  const Content content = classify(kinds);
  formats::SourceStream stream(source);
  scan_classified(content, kinds, stream, &source, scanner);
  // Bytes that read as a pickle and as compressed data are scanned as both.
  if (content == Content::pickle && kinds.compression != formats::Compression::none) {
    formats::SourceStream again(source);
    scan_compressed(kinds.compression, again, scanner, true);
  }
  // Compressed data or a tar an unpickler would also run ("BZh", a member name, are opcodes):
  // its unsafe calls count.
  if ((content == Content::compressed || content == Content::tar) && kinds.runs_as_pickle) {
    const Scanner::UnsafeOnly unsafe_only(scanner);
    formats::SourceStream again(source);
    formats::PickleInput input(again);
    scan_pickle_sequence(input, scanner, nullptr);
  }
}

void scan_content(formats::ByteStream& stream, Scanner& scanner) {
  std::string head;
  try {
    head = formats::read_up_to(stream, k_head_bytes);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    scanner.unscanned(0, std::string("could not read: ") + error.what());
    return;
  }
  const auto kinds = formats::classify_content(head);
  const Content content = classify(kinds);
  PrefixedStream whole(head, stream);
  try {
    scan_classified(content, kinds, whole, nullptr, scanner);
  } catch (const Error& error) {
    // A damaged compressed stream under a tar or npy header: what came before was scanned, but
    // the loader may read on where the scanner cannot.
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    scanner.unscanned(0, std::string("could not read to the end: ") + error.what());
  }
}

} // namespace mlv::scan::detail
