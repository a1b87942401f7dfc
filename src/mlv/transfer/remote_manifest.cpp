#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/util/error.hpp>

#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>

namespace mlv::transfer {

namespace {

// Every zstd frame starts with these bytes; a manifest's text starts "mlv-manifest".
constexpr std::array<unsigned char, 4> k_zstd_magic = {0x28, 0xB5, 0x2F, 0xFD};

bool is_zstd_frame(std::string_view stored) {
  return stored.size() >= k_zstd_magic.size() &&
         std::equal(k_zstd_magic.begin(), k_zstd_magic.end(), stored.begin(),
                    [](unsigned char magic, char byte) {
                      return magic == static_cast<unsigned char>(byte);
                    });
}

// `noun` is "manifest" or "bundle".
[[noreturn]] void
damaged(const std::string& source, const std::string& noun, const std::string& what) {
  throw Error(Failure::invalid_input, source + ": compressed " + noun + " " + what,
              "the " + noun + " is damaged; delete it and fetch or push again");
}

// The text of one zstd frame that declares its size (mlv writes it so); the size is checked
// against k_max_manifest_text before anything is allocated.
std::string
decompress(std::string_view stored, const std::string& source, const std::string& noun) {
  const auto frame = ZSTD_findFrameCompressedSize(stored.data(), stored.size());
  if (ZSTD_isError(frame)) {
    damaged(source, noun, "is truncated or not a zstd frame");
  }
  if (frame != stored.size()) {
    damaged(source, noun, "has bytes after its zstd frame");
  }
  const auto declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR) {
    damaged(source, noun, "does not declare its size");
  }
  if (declared > k_max_manifest_text) {
    damaged(source, noun,
            "declares " + std::to_string(declared) + " bytes, more than the limit of " +
                std::to_string(k_max_manifest_text));
  }
  std::string text(static_cast<std::size_t>(declared), '\0');
  const auto size = ZSTD_decompress(text.data(), text.size(), stored.data(), stored.size());
  if (ZSTD_isError(size) || size != declared) {
    damaged(source, noun,
            "does not decompress (" +
                std::string(ZSTD_isError(size) ? ZSTD_getErrorName(size) : "short") + ")");
  }
  return text;
}

// The stored form of a manifest's or bundle's text.
std::string encode_stored_text(std::string text, int compression_level) {
  if (compression_level <= 0) {
    return text;
  }
  // With the frame's content checksum: a manifest decides which bytes make up a file, and a
  // damaged frame must not decode to another manifest that still parses.
  const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(ZSTD_createCCtx(),
                                                                     &ZSTD_freeCCtx);
  if (context == nullptr ||
      ZSTD_isError(
          ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, compression_level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 1))) {
    return text; // the text is a valid stored form too
  }
  std::string stored(ZSTD_compressBound(text.size()), '\0');
  const auto size =
      ZSTD_compress2(context.get(), stored.data(), stored.size(), text.data(), text.size());
  if (ZSTD_isError(size)) {
    return text;
  }
  stored.resize(size);
  return stored;
}

constexpr std::string_view k_bundle_magic = "mlv-bundle 1";

// Reads a bundle's text line by line; every failure names the source and the line.
class BundleReader {
public:
  BundleReader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  std::string_view line(const char* what) {
    const auto end = text_.find('\n', position_);
    if (end == std::string_view::npos) {
      fail(std::string("expected ") + what + " ending in a newline");
    }
    const auto line = text_.substr(position_, end - position_);
    position_ = end + 1;
    ++line_number_;
    return line;
  }
  // The number after `key ` on the next line.
  std::uint64_t keyed_number(std::string_view key) {
    const auto text = line(std::string(key).c_str());
    if (text.substr(0, key.size() + 1) != std::string(key) + " ") {
      fail("expected '" + std::string(key) + " <number>'");
    }
    const auto digits = text.substr(key.size() + 1);
    std::uint64_t value = 0;
    if (digits.empty() || digits.size() > 19 || (digits.size() > 1 && digits[0] == '0')) {
      fail("expected '" + std::string(key) + " <number>'");
    }
    for (const char digit : digits) {
      if (digit < '0' || digit > '9') {
        fail("expected '" + std::string(key) + " <number>'");
      }
      value = value * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    return value;
  }
  std::string_view take(std::uint64_t size) {
    if (size > text_.size() - position_) {
      fail("a manifest runs past the end of the bundle");
    }
    const auto bytes = text_.substr(position_, static_cast<std::size_t>(size));
    position_ += static_cast<std::size_t>(size);
    line_number_ += static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    return bytes;
  }
  bool at_end() const { return position_ == text_.size(); }
  std::size_t line_number() const { return line_number_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(Failure::invalid_input,
                source_ + ": line " + std::to_string(line_number_) + ": " + what,
                "the bundle is damaged; delete it and push the folder again");
  }

private:
  std::string_view text_;
  const std::string& source_;
  std::size_t position_ = 0;
  std::size_t line_number_ = 0;
};

} // namespace

std::string encode_remote_manifest(const cache::Manifest& manifest, int compression_level) {
  return encode_stored_text(cache::serialize_manifest(manifest), compression_level);
}

cache::Manifest parse_remote_manifest(std::string_view stored, const std::string& source) {
  if (is_zstd_frame(stored)) {
    return cache::parse_manifest(decompress(stored, source, "manifest"), source);
  }
  return cache::parse_manifest(stored, source);
}

namespace {

// Feeds text piece by piece into one zstd frame of a size declared up front (readers check it
// before they allocate), so a bundle of 100,000 manifests is never held whole as text.
class FrameWriter {
public:
  FrameWriter(int compression_level, std::uint64_t text_size)
      : context_(ZSTD_createCCtx(), &ZSTD_freeCCtx) {
    ok_ = context_ != nullptr &&
          !ZSTD_isError(
              ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel, compression_level)) &&
          !ZSTD_isError(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_checksumFlag, 1)) &&
          !ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(context_.get(), text_size));
  }
  bool ok() const { return ok_; }
  void append(std::string_view text) { feed(text, ZSTD_e_continue); }
  // The frame, or nullopt when zstd failed (the plain text is a valid stored form too).
  std::optional<std::string> finish() {
    feed({}, ZSTD_e_end);
    if (!ok_) {
      return std::nullopt;
    }
    stored_.shrink_to_fit();
    return std::move(stored_);
  }

private:
  void feed(std::string_view text, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{text.data(), text.size(), 0};
    std::array<char, 1 << 16> buffer{};
    for (bool more = true; ok_ && more;) {
      ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
      const auto left = ZSTD_compressStream2(context_.get(), &out, &in, mode);
      if (ZSTD_isError(left)) {
        ok_ = false;
        return;
      }
      stored_.append(buffer.data(), out.pos);
      more = mode == ZSTD_e_end ? left != 0 : in.pos < in.size;
    }
  }

  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context_;
  std::string stored_;
  bool ok_ = false;
};

} // namespace

std::string encode_remote_bundle(const std::string& dir_id,
                                 std::span<const cache::Manifest* const> manifests,
                                 int compression_level) {
  const std::string header = std::string(k_bundle_magic) + "\ndir " + dir_id + "\nmanifests " +
                             std::to_string(manifests.size()) + "\n";
  const auto write = [&](auto&& append) {
    append(header);
    for (const auto* manifest : manifests) {
      const auto manifest_text = cache::serialize_manifest(*manifest);
      append("manifest " + std::to_string(manifest_text.size()) + "\n");
      append(manifest_text);
    }
  };
  // The size first (the frame declares it), then the text: serializing twice costs less than
  // holding the whole text beside its compressed form.
  std::uint64_t size = 0;
  write([&](std::string_view piece) { size += piece.size(); });
  if (compression_level > 0) {
    FrameWriter frame(compression_level, size);
    if (frame.ok()) {
      write([&](std::string_view piece) { frame.append(piece); });
      if (auto stored = frame.finish()) {
        return std::move(*stored);
      }
    }
  }
  std::string text;
  text.reserve(static_cast<std::size_t>(size));
  write([&](std::string_view piece) { text += piece; });
  return text;
}

std::string encode_remote_bundle(const Bundle& bundle, int compression_level) {
  std::vector<const cache::Manifest*> manifests;
  manifests.reserve(bundle.manifests.size());
  for (const auto& manifest : bundle.manifests) {
    manifests.push_back(&manifest);
  }
  return encode_remote_bundle(bundle.dir_id, manifests, compression_level);
}

Bundle parse_remote_bundle(std::string_view stored, const std::string& source) {
  std::string decompressed;
  if (is_zstd_frame(stored)) {
    decompressed = decompress(stored, source, "bundle");
    stored = decompressed;
  }
  BundleReader reader(stored, source);
  if (reader.line("the header") != k_bundle_magic) {
    reader.fail("not an mlv bundle of version 1 (expected '" + std::string(k_bundle_magic) +
                "'); a newer mlv may have written it: upgrade mlv");
  }
  Bundle bundle;
  const auto dir = reader.line("'dir <id>'");
  if (dir.substr(0, 4) != "dir " || !hash::is_content_id(std::string(dir.substr(4)))) {
    reader.fail("expected 'dir <64 hex>'");
  }
  bundle.dir_id = std::string(dir.substr(4));
  const auto count = reader.keyed_number("manifests");
  // Every manifest takes more than 100 bytes: a count beyond that is damage, not a reason to
  // reserve memory.
  if (count > stored.size() / 100) {
    reader.fail("more manifests than the bundle has room for");
  }
  bundle.manifests.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto size = reader.keyed_number("manifest");
    const auto where = source + " (manifest " + std::to_string(i + 1) + ", from line " +
                       std::to_string(reader.line_number() + 1) + ")";
    bundle.manifests.push_back(cache::parse_manifest(reader.take(size), where));
    if (i > 0 && bundle.manifests[i - 1].id >= bundle.manifests[i].id) {
      reader.fail("manifests are not sorted by file id, each id once");
    }
  }
  if (!reader.at_end()) {
    reader.fail("text after the last manifest");
  }
  return bundle;
}

} // namespace mlv::transfer
