#include "probes.hpp"

#include <mlv/formats/byte_stream.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace mlv::inspect::probe {

namespace {

// However little a compressed stream yields, detection reads no more of it than this.
constexpr std::uint64_t k_max_compressed_probe_bytes = 4 << 20;

// Extensions joblib.dump maps to a compressor, and those that name a pickled object.
constexpr std::array<std::string_view, 7> k_compression_suffixes = {".z",    ".gz",  ".bz2", ".xz",
                                                                    ".lzma", ".lz4", ".zlib"};
constexpr std::array<std::string_view, 4> k_joblib_suffixes = {".joblib", ".jbl", ".pkl",
                                                               ".pickle"};

bool ends_with_any(std::string_view name, const auto& suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view suffix) { return name.ends_with(suffix); });
}

} // namespace

std::string decompressed_head(const formats::ByteSource& source, formats::Compression kind) {
  std::string head;
  try {
    auto stream = formats::open_decompressed(
        std::make_unique<formats::SourceStream>(source, 0, k_max_compressed_probe_bytes), kind);
    formats::read_up_to(*stream, head, k_head_bytes);
  } catch (const Error&) {
    // Damaged, cut short, or a compression mlv does not decode: what was read is the head.
  }
  return head;
}

bool is_compressed_joblib(const formats::ByteSource& source, formats::Compression kind) {
  const std::string head = decompressed_head(source, kind);
  return formats::classify_pickle(head) == formats::PickleKind::pickle &&
         head.find(formats::k_joblib_module) != std::string::npos;
}

bool named_like_joblib(const std::string& file_name) {
  std::string name = file_name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view view = name;
  for (const auto suffix : k_compression_suffixes) {
    if (view.ends_with(suffix)) {
      view.remove_suffix(suffix.size());
      break;
    }
  }
  return ends_with_any(view, k_joblib_suffixes);
}

} // namespace mlv::inspect::probe
