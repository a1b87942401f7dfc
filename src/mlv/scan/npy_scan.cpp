// NumPy's .npy files: an array of Python objects is stored as a pickle after the header
// (numpy.save pickles it; numpy.load with allow_pickle=True unpickles it).

#include "scanner.hpp"
#include "streams.hpp"

#include <mlv/formats/npy_header.hpp>

namespace mlv::scan::detail {

namespace {

// "\x93NUMPY", major and minor version; then the header length: 2 bytes in version 1, 4 after.
constexpr std::size_t k_preamble = 8;
constexpr std::size_t k_major_at = 6;
constexpr std::size_t k_max_header = 1 << 20;

} // namespace

void scan_npy(formats::ByteStream& stream, Scanner& scanner) {
  Scanner::Layer layer(scanner, "npy", {});
  std::string preamble = formats::read_up_to(stream, k_preamble);
  if (preamble.size() < k_preamble) {
    return;
  }
  const std::size_t width = static_cast<unsigned char>(preamble[k_major_at]) >= 2 ? 4 : 2;
  const std::string length_bytes = formats::read_up_to(stream, width);
  if (length_bytes.size() < width) {
    return;
  }
  std::uint64_t header_length = 0;
  for (std::size_t i = 0; i < width; ++i) {
    header_length |= static_cast<std::uint64_t>(static_cast<unsigned char>(length_bytes[i]))
                     << (8 * i);
  }
  std::uint64_t consumed = k_preamble + width;
  if (header_length > k_max_header) {
    scanner.unscanned(0, "a .npy header larger than 1 MiB");
    return;
  }
  const std::string header = formats::read_up_to(stream, static_cast<std::size_t>(header_length));
  consumed += header.size();
  const auto major = static_cast<unsigned char>(preamble[k_major_at]);
  const formats::NpyDtype dtype = formats::judge_npy_header(header, major >= 3);
  if (dtype == formats::NpyDtype::plain) {
    return;
  }
  if (dtype == formats::NpyDtype::unknown) {
    scanner.unscanned(0, "could not read the .npy header's descr as numpy does; what follows "
                         "the header is scanned as the pickle numpy.load may take it for");
  }
  formats::PickleInput input(stream, consumed);
  scan_pickle_sequence(input, scanner, nullptr);
}

} // namespace mlv::scan::detail
