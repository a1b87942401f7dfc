// NumPy's .npy files: an array of Python objects is stored as a pickle after the header
// (numpy.save pickles it; numpy.load with allow_pickle=True unpickles it).

#include "scanner.hpp"
#include "streams.hpp"

namespace mlv::scan::detail {

namespace {

// "\x93NUMPY", major and minor version; then the header length: 2 bytes in version 1, 4 after.
constexpr std::size_t k_preamble = 8;
constexpr std::size_t k_major_at = 6;
constexpr std::size_t k_max_header = 1 << 20;

// Whether the header's 'descr' names an object type anywhere ('O', '|O', '<O8', or a structured
// type with an object field): a quoted type code whose kind letter is O.
bool has_object_type(const std::string& header) {
  const auto descr = header.find("descr");
  if (descr == std::string::npos) {
    return true; // unreadable: scan what follows as a pickle, which costs little if it is not
  }
  for (std::size_t at = header.find_first_of("'\"", descr + 6); at != std::string::npos;) {
    const auto end = header.find(header[at], at + 1);
    if (end == std::string::npos) {
      break;
    }
    std::string_view code = std::string_view(header).substr(at + 1, end - at - 1);
    if (!code.empty() && (code.front() == '|' || code.front() == '<' || code.front() == '>' ||
                          code.front() == '=')) {
      code.remove_prefix(1);
    }
    if (code == "O" || (code.size() > 1 && code.front() == 'O' &&
                        code.find_first_not_of("0123456789", 1) == std::string_view::npos)) {
      return true;
    }
    at = header.find_first_of("'\"", end + 1);
  }
  return false;
}

} // namespace

void scan_npy(inspect::ByteStream& stream, Scanner& scanner) {
  Scanner::Layer layer(scanner, "npy", {});
  std::string preamble = inspect::read_up_to(stream, k_preamble);
  if (preamble.size() < k_preamble) {
    return;
  }
  const std::size_t width = static_cast<unsigned char>(preamble[k_major_at]) >= 2 ? 4 : 2;
  const std::string length_bytes = inspect::read_up_to(stream, width);
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
  const std::string header = inspect::read_up_to(stream, static_cast<std::size_t>(header_length));
  consumed += header.size();
  if (!has_object_type(header)) {
    return;
  }
  inspect::PickleInput input(stream, consumed);
  scan_pickle_sequence(input, scanner, nullptr);
}

} // namespace mlv::scan::detail
