#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/util/error.hpp>

#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>

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

[[noreturn]] void damaged(const std::string& source, const std::string& what) {
  throw Error(Failure::invalid_input, source + ": compressed manifest " + what,
              "the manifest is damaged; delete it and fetch or push again");
}

// The text of one zstd frame that declares its size (mlv writes it so); the size is checked
// against k_max_manifest_text before anything is allocated.
std::string decompress(std::string_view stored, const std::string& source) {
  const auto frame = ZSTD_findFrameCompressedSize(stored.data(), stored.size());
  if (ZSTD_isError(frame)) {
    damaged(source, "is truncated or not a zstd frame");
  }
  if (frame != stored.size()) {
    damaged(source, "has bytes after its zstd frame");
  }
  const auto declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR) {
    damaged(source, "does not declare its size");
  }
  if (declared > k_max_manifest_text) {
    damaged(source, "declares " + std::to_string(declared) + " bytes, more than the limit of " +
                        std::to_string(k_max_manifest_text));
  }
  std::string text(static_cast<std::size_t>(declared), '\0');
  const auto size = ZSTD_decompress(text.data(), text.size(), stored.data(), stored.size());
  if (ZSTD_isError(size) || size != declared) {
    damaged(source, "does not decompress (" +
                        std::string(ZSTD_isError(size) ? ZSTD_getErrorName(size) : "short") + ")");
  }
  return text;
}

} // namespace

std::string encode_remote_manifest(const cache::Manifest& manifest, int compression_level) {
  auto text = cache::serialize_manifest(manifest);
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

cache::Manifest parse_remote_manifest(std::string_view stored, const std::string& source) {
  if (is_zstd_frame(stored)) {
    return cache::parse_manifest(decompress(stored, source), source);
  }
  return cache::parse_manifest(stored, source);
}

} // namespace mlv::transfer
