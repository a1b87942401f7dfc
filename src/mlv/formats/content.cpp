#include <mlv/formats/content.hpp>
#include <mlv/formats/pickle_machine.hpp>
#include <mlv/formats/tar_header.hpp>

namespace mlv::formats {

namespace {

constexpr std::string_view k_zip_magic = "PK\x03\x04";
constexpr std::string_view k_empty_zip_magic = "PK\x05\x06";
constexpr std::string_view k_numpy_magic = "\x93NUMPY";
constexpr std::string_view k_gguf_magic = "GGUF";

bool is_tar_header(std::string_view head) {
  TarHeader header;
  return head.size() >= k_tar_block &&
         parse_tar_header(head.substr(0, k_tar_block), header) == TarBlock::header;
}

} // namespace

ContentKinds classify_content(std::string_view head) {
  ContentKinds kinds;
  kinds.zip = head.starts_with(k_zip_magic);
  kinds.empty_zip = head.starts_with(k_empty_zip_magic);
  kinds.numpy = head.starts_with(k_numpy_magic);
  if (kinds.numpy && head.size() > k_numpy_magic.size() + 1) {
    kinds.numpy_major = static_cast<std::uint8_t>(head[k_numpy_magic.size()]);
  }
  kinds.gguf = head.starts_with(k_gguf_magic);
  kinds.tar = is_tar_header(head);
  kinds.pickle = classify_pickle(head);
  kinds.pickle_opcodes = starts_like_pickle(head);
  kinds.compression = detect_compression(head);
  kinds.runs_as_pickle = unpickler_would_run(head);
  return kinds;
}

} // namespace mlv::formats
