#include "pickle_opcodes.hpp"

#include <mlv/formats/pickle_machine.hpp>
#include <mlv/formats/pickle_probe.hpp>

#include <cctype>

namespace mlv::formats {

namespace {

constexpr unsigned char k_proto = opcode::PROTO;
constexpr unsigned char k_highest_protocol = opcode::k_highest_protocol;
constexpr unsigned char k_frame = opcode::FRAME;
constexpr std::size_t k_frame_bytes = 9; // the opcode and a u64 length
constexpr std::size_t k_joblib_search_bytes = 1 << 20;
// A protocol 0/1 stream counts as a pickle once this many opcodes parse, if it does not end
// (STOP) first: random text fails within a few bytes.
constexpr int k_min_text_opcodes = 8;

// Opcodes a protocol 0/1 stream may begin with: what pickle.dump writes first for an object
// (a MARK before a dict/list/instance, a GLOBAL for a reduce, an empty container).
bool is_text_protocol_start(unsigned char op) {
  return op == '(' || op == 'c' || op == ']' || op == '}' || op == ')';
}

enum class Step { ok, stop, end_of_window, invalid };

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

class TextPickleWalker {
public:
  explicit TextPickleWalker(std::string_view bytes) : bytes_(bytes) {}

  // Parses one protocol 0/1 opcode and its argument.
  Step step() {
    if (pos_ >= bytes_.size()) {
      return Step::end_of_window;
    }
    const char op = bytes_[pos_++];
    switch (op) {
    case '.': // STOP
      return Step::stop;
    case '(':
    case ')':
    case '0':
    case '1':
    case '2':
    case 'N':
    case 'R':
    case 'a':
    case 'b':
    case 'd':
    case '}':
    case 'e':
    case 'l':
    case ']':
    case 'o':
    case 's':
    case 'u':
    case 't':
    case 'Q':
      return Step::ok;
    case 'c': // GLOBAL module\nname\n
    case 'i': // INST module\nname\n
      return both(line(is_identifier_line), line(is_identifier_line));
    case 'I': // INT
    case 'L': // LONG
    case 'p': // PUT
    case 'g': // GET
      return line(is_number_line);
    case 'F': // FLOAT
      return line(is_float_line);
    case 'S': // STRING, a quoted repr
      return line(is_quoted_line);
    case 'V': // UNICODE, raw-unicode-escape text
    case 'P': // PERSID
      return line([](std::string_view) { return true; });
    case 'K':
    case 'q':
    case 'h': // one-byte argument
      return skip(1);
    case 'M': // BININT2
      return skip(2);
    case 'J':
    case 'r':
    case 'j': // four-byte argument
      return skip(4);
    case 'G': // BINFLOAT
      return skip(8);
    case 'U': // SHORT_BINSTRING
      return counted(1);
    case 'T':
    case 'X': // BINSTRING, BINUNICODE
      return counted(4);
    default:
      return Step::invalid;
    }
  }

private:
  static bool is_identifier_line(std::string_view text) {
    if (text.empty()) {
      return false;
    }
    for (const char c : text) {
      if (!is_identifier_char(c)) {
        return false;
      }
    }
    return true;
  }

  static bool is_number_line(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
      text.remove_prefix(1);
    }
    if (!text.empty() && text.back() == 'L') {
      text.remove_suffix(1);
    }
    if (text.empty()) {
      return false;
    }
    for (const char c : text) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
        return false;
      }
    }
    return true;
  }

  static bool is_float_line(std::string_view text) {
    if (text.empty()) {
      return false;
    }
    for (const char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '+') {
        return false;
      }
    }
    return true;
  }

  static bool is_quoted_line(std::string_view text) {
    return text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
           text.back() == text.front();
  }

  static Step both(Step first, Step second) { return first != Step::ok ? first : second; }

  template <typename Check>
  Step line(Check check) {
    const auto newline = bytes_.find('\n', pos_);
    if (newline == std::string_view::npos) {
      return Step::end_of_window;
    }
    const auto text = bytes_.substr(pos_, newline - pos_);
    pos_ = newline + 1;
    return check(text) ? Step::ok : Step::invalid;
  }

  Step skip(std::size_t count) {
    if (bytes_.size() - pos_ < count) {
      return Step::end_of_window;
    }
    pos_ += count;
    return Step::ok;
  }

  // A little-endian length of `width` bytes, then that many bytes.
  Step counted(std::size_t width) {
    if (bytes_.size() - pos_ < width) {
      return Step::end_of_window;
    }
    std::size_t length = 0;
    for (std::size_t i = 0; i < width; ++i) {
      length |= static_cast<std::size_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += width;
    return skip(length);
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
};

bool is_text_protocol_pickle(std::string_view head) {
  if (head.empty() || !is_text_protocol_start(static_cast<unsigned char>(head[0]))) {
    return false;
  }
  TextPickleWalker walker(head);
  for (int opcodes = 0;; ++opcodes) {
    switch (walker.step()) {
    case Step::ok:
      continue;
    case Step::stop:
      return true;
    case Step::end_of_window:
      return opcodes >= k_min_text_opcodes;
    case Step::invalid:
      return false;
    }
  }
}

} // namespace

PickleKind classify_pickle(std::string_view head) {
  if (head.size() >= 3 && static_cast<unsigned char>(head[0]) == k_proto) {
    const auto protocol = static_cast<unsigned char>(head[1]);
    if (protocol < 2 || protocol > k_highest_protocol ||
        !is_pickle_opcode(static_cast<unsigned char>(head[2]))) {
      return PickleKind::none;
    }
    // From protocol 4 on, a FRAME opcode and its 8-byte length may come first.
    const std::size_t first_opcode =
        static_cast<unsigned char>(head[2]) == k_frame ? 2 + k_frame_bytes : 2;
    return head.size() > first_opcode && head.substr(first_opcode).starts_with(k_torch_legacy_magic)
               ? PickleKind::torch_legacy
               : PickleKind::pickle;
  }
  return is_text_protocol_pickle(head) ? PickleKind::pickle : PickleKind::none;
}

std::optional<int> declared_pickle_protocol(std::string_view head) {
  if (head.size() < 2 || static_cast<unsigned char>(head[0]) != k_proto) {
    return std::nullopt;
  }
  const auto protocol = static_cast<unsigned char>(head[1]);
  if (protocol < 2 || protocol > k_highest_protocol) {
    return std::nullopt;
  }
  return protocol;
}

bool references_joblib(const ByteSource& source) {
  return source.read_at(0, k_joblib_search_bytes).find(k_joblib_module) != std::string::npos;
}

} // namespace mlv::formats
