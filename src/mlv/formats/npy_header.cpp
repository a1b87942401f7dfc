#include <mlv/formats/npy_header.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlv::formats {

namespace {

// A Python literal value as far as the judgement needs it.
struct Literal {
  enum class Kind { text, bytes, number, constant, tuple, list, dict, set };
  Kind kind = Kind::constant;
  std::string text;           // text: code points as UTF-8; `exact` false when one was unresolvable
  bool exact = true;          // (\N{...})
  std::vector<Literal> items; // dict: key, value, key, value...
};

constexpr int k_max_nesting = 32;

// A recursive-descent reader of the expressions ast.literal_eval accepts in a header.
class LiteralReader {
public:
  LiteralReader(std::string_view text, bool allow_long) : text_(text), allow_long_(allow_long) {}

  std::optional<Literal> read_all() {
    auto value = expression(0);
    skip_space(0);
    if (!value || at_ != text_.size()) {
      return std::nullopt;
    }
    return value;
  }

private:
  // Whitespace, comments and line continuations; newlines only inside brackets.
  void skip_space(int depth) {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == ' ' || c == '\t' || c == '\f' || ((c == '\n' || c == '\r') && depth > 0)) {
        ++at_;
      } else if (c == '\\' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n') {
        at_ += 2;
      } else if (c == '#') {
        while (at_ < text_.size() && text_[at_] != '\n') {
          ++at_;
        }
      } else if ((c == '\n' || c == '\r') && at_ + 1 == text_.size()) {
        ++at_; // the header's own trailing newline
      } else {
        return;
      }
    }
  }

  bool take(char c, int depth) {
    skip_space(depth);
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  std::optional<Literal> expression(int depth) {
    if (depth > k_max_nesting) {
      return std::nullopt;
    }
    skip_space(depth);
    if (at_ >= text_.size()) {
      return std::nullopt;
    }
    const char c = text_[at_];
    if (c == '(' || c == '[' || c == '{') {
      return sequence(depth);
    }
    if (c == '+' || c == '-' || (c >= '0' && c <= '9') || c == '.') {
      return number();
    }
    if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '\'' || c == '"') {
      return word_or_strings(depth);
    }
    return std::nullopt;
  }

  std::optional<Literal> sequence(int depth) {
    const char open = text_[at_++];
    const char close = open == '(' ? ')' : open == '[' ? ']' : '}';
    Literal value;
    value.kind = open == '('   ? Literal::Kind::tuple
                 : open == '[' ? Literal::Kind::list
                               : Literal::Kind::dict;
    bool comma = false;
    bool is_set = false;
    while (!take(close, depth + 1)) {
      if (!value.items.empty() && !comma) {
        return std::nullopt;
      }
      auto item = expression(depth + 1);
      if (!item) {
        return std::nullopt;
      }
      value.items.push_back(std::move(*item));
      if (value.kind == Literal::Kind::dict) {
        if (take(':', depth + 1)) {
          if (is_set) {
            return std::nullopt;
          }
          auto item_value = expression(depth + 1);
          if (!item_value) {
            return std::nullopt;
          }
          value.items.push_back(std::move(*item_value));
        } else if (value.items.size() == 1 || is_set) {
          is_set = true;
        } else {
          return std::nullopt;
        }
      }
      comma = take(',', depth + 1);
    }
    if (is_set) {
      value.kind = Literal::Kind::set;
    }
    // (x) is x; (x,) and () are tuples.
    if (value.kind == Literal::Kind::tuple && value.items.size() == 1 && !comma) {
      return std::move(value.items.front());
    }
    return value;
  }

  std::optional<Literal> number() {
    const std::size_t start = at_;
    while (at_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[at_])) != 0 || text_[at_] == '_' ||
            text_[at_] == '.' || text_[at_] == '+' || text_[at_] == '-' || text_[at_] == ' ')) {
      ++at_;
    }
    // The judgement only needs to know that it is a number, not its value.
    auto digits = text_.substr(start, at_ - start);
    if (allow_long_ && !digits.empty() && (digits.back() == 'L' || digits.back() == 'l')) {
      digits.remove_suffix(1);
    }
    if (digits.find_first_of("0123456789") == std::string_view::npos) {
      return std::nullopt;
    }
    Literal value;
    value.kind = Literal::Kind::number;
    return value;
  }

  std::optional<Literal> word_or_strings(int depth) {
    Literal value;
    bool first = true;
    for (;;) {
      if (!first) {
        skip_space(depth);
      }
      const std::size_t start = at_;
      while (at_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[at_])) != 0) {
        ++at_;
      }
      std::string prefix(text_.substr(start, at_ - start));
      std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (at_ >= text_.size() || (text_[at_] != '\'' && text_[at_] != '"')) {
        at_ = start;
        if (!first) {
          return value;
        }
        if (prefix == "true" || prefix == "false" || prefix == "none") {
          const auto word = text_.substr(start, prefix.size());
          if (word != "True" && word != "False" && word != "None") {
            return std::nullopt;
          }
          at_ += prefix.size();
          return value; // a constant
        }
        return std::nullopt;
      }
      static constexpr std::array<std::string_view, 8> k_prefixes = {"",   "r",  "u",  "b",
                                                                     "br", "rb", "ur", "ru"};
      if (std::find(k_prefixes.begin(), k_prefixes.end(), prefix) == k_prefixes.end() ||
          prefix == "ur" || prefix == "ru") {
        return std::nullopt;
      }
      const bool bytes = prefix.find('b') != std::string::npos;
      const bool raw = prefix.find('r') != std::string::npos;
      const auto kind = bytes ? Literal::Kind::bytes : Literal::Kind::text;
      if (!first && kind != value.kind) {
        return std::nullopt; // str and bytes do not concatenate
      }
      value.kind = kind;
      if (!string_body(raw, bytes, value)) {
        return std::nullopt;
      }
      first = false;
    }
  }

  static void append_code_point(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | cp >> 6));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | cp >> 12));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | cp >> 18));
      out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // `count` hex digits at the position, as a number.
  std::optional<std::uint32_t> hex(std::size_t count) {
    if (text_.size() - at_ < count) {
      return std::nullopt;
    }
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[at_ + i];
      const int digit = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0'
                        : (c | 0x20) >= 'a' && (c | 0x20) <= 'f'         ? (c | 0x20) - 'a' + 10
                                                                         : -1;
      if (digit < 0) {
        return std::nullopt;
      }
      value = value * 16 + static_cast<std::uint32_t>(digit);
    }
    at_ += count;
    return value;
  }

  // One quoted string (single, double or triple quotes) with Python's escapes.
  bool string_body(bool raw, bool bytes, Literal& value) {
    const char quote = text_[at_];
    const bool triple = text_.substr(at_, 3) == std::string(3, quote);
    at_ += triple ? 3 : 1;
    for (;;) {
      if (at_ >= text_.size()) {
        return false;
      }
      const char c = text_[at_];
      if (c == quote && (!triple || text_.substr(at_, 3) == std::string(3, quote))) {
        at_ += triple ? 3 : 1;
        return true;
      }
      if ((c == '\n' || c == '\r') && !triple) {
        return false;
      }
      if (c != '\\' || at_ + 1 >= text_.size()) {
        value.text.push_back(c); // UTF-8 already, or a latin-1 byte decoded by the caller
        ++at_;
        continue;
      }
      const char e = text_[at_ + 1];
      if (raw) {
        value.text.push_back('\\');
        value.text.push_back(e);
        at_ += 2;
        continue;
      }
      at_ += 2;
      static constexpr std::string_view k_simple = "\\'\"abfnrtv";
      static constexpr std::string_view k_values = "\\'\"\a\b\f\n\r\t\v";
      if (const auto simple = k_simple.find(e); simple != std::string_view::npos) {
        value.text.push_back(k_values[simple]);
      } else if (e == '\n') {
        // a line continuation inside the string
      } else if (e >= '0' && e <= '7') {
        std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
        for (int i = 0; i < 2 && at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '7';
             ++i) {
          cp = cp * 8 + static_cast<std::uint32_t>(text_[at_++] - '0');
        }
        append_code_point(value.text, cp);
      } else if (e == 'x' || (!bytes && (e == 'u' || e == 'U'))) {
        const auto cp = hex(e == 'x' ? 2 : e == 'u' ? 4 : 8);
        if (!cp || *cp > 0x10FFFF) {
          return false;
        }
        append_code_point(value.text, *cp);
      } else if (e == 'N' && !bytes) {
        const auto end = text_.find('}', at_);
        if (end == std::string_view::npos) {
          return false;
        }
        at_ = end + 1;
        value.exact = false; // a character named in Unicode's database: not resolved here
      } else {
        value.text.push_back('\\');
        value.text.push_back(e);
      }
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
  bool allow_long_;
};

// The kinds numpy.dtype gives from a type string without objects.
constexpr std::array<std::string_view, 43> k_plain_names = {
    "bool",       "bool_",      "bool8",       "int",      "int8",    "int16",     "int32",
    "int64",      "uint",       "uint8",       "uint16",   "uint32",  "uint64",    "float",
    "float16",    "float32",    "float64",     "float128", "complex", "complex64", "complex128",
    "complex256", "str",        "str_",        "bytes",    "bytes_",  "unicode",   "unicode_",
    "void",       "datetime64", "timedelta64", "double",   "single",  "half",      "longlong",
    "ulonglong",  "short",      "ushort",      "intc",     "uintc",   "byte",      "ubyte",
    "longdouble"};
constexpr std::array<std::string_view, 6> k_object_names = {"O",      "O4",      "O8",
                                                            "object", "object_", "object0"};
constexpr std::string_view k_plain_codes = "?bBhHiIlLqQpPefdgFDGSaUVcMmu";

NpyDtype combine(NpyDtype a, NpyDtype b) {
  if (a == NpyDtype::objects || b == NpyDtype::objects) {
    return NpyDtype::objects;
  }
  return a == NpyDtype::unknown || b == NpyDtype::unknown ? NpyDtype::unknown : NpyDtype::plain;
}

NpyDtype judge_type_part(std::string_view part) {
  while (!part.empty() && part.front() == ' ') {
    part.remove_prefix(1);
  }
  while (!part.empty() && part.back() == ' ') {
    part.remove_suffix(1);
  }
  // A leading repeat count or shape ("2i4", "(2,3)f8") makes a subarray of the same kind.
  if (!part.empty() && part.front() == '(') {
    const auto close = part.find(')');
    if (close == std::string_view::npos) {
      return NpyDtype::unknown;
    }
    part.remove_prefix(close + 1);
  }
  while (!part.empty() && std::isdigit(static_cast<unsigned char>(part.front())) != 0) {
    part.remove_prefix(1);
  }
  if (!part.empty() && std::string_view("<>|=").find(part.front()) != std::string_view::npos) {
    part.remove_prefix(1);
  }
  if (std::find(k_object_names.begin(), k_object_names.end(), part) != k_object_names.end()) {
    return NpyDtype::objects;
  }
  if (std::find(k_plain_names.begin(), k_plain_names.end(), part) != k_plain_names.end()) {
    return NpyDtype::plain;
  }
  if (part.empty() || k_plain_codes.find(part.front()) == std::string_view::npos) {
    return NpyDtype::unknown;
  }
  auto rest = part.substr(1);
  while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front())) != 0) {
    rest.remove_prefix(1);
  }
  if ((part.front() == 'M' || part.front() == 'm') && rest.starts_with('[') &&
      rest.ends_with(']') &&
      rest.find_first_not_of("abcdefghijklmnopqrstuvwxyzAYMWDhms0123456789[]") ==
          std::string_view::npos) {
    return NpyDtype::plain;
  }
  return rest.empty() ? NpyDtype::plain : NpyDtype::unknown;
}

// numpy.dtype(text): one type, or comma-separated fields.
NpyDtype judge_type_string(const Literal& text) {
  if (!text.exact) {
    return NpyDtype::unknown;
  }
  NpyDtype result = NpyDtype::plain;
  std::string_view rest = text.text;
  for (;;) {
    const auto comma = rest.find(',');
    const auto part = rest.substr(0, comma);
    // "O," is one field: an empty part after a comma is allowed.
    if (!(part.empty() && comma == std::string_view::npos && rest.size() != text.text.size())) {
      result = combine(result, judge_type_part(part));
    }
    if (comma == std::string_view::npos) {
      return result;
    }
    rest.remove_prefix(comma + 1);
  }
}

bool is_shape(const Literal& value) {
  if (value.kind == Literal::Kind::number) {
    return true;
  }
  return (value.kind == Literal::Kind::tuple || value.kind == Literal::Kind::list) &&
         std::all_of(value.items.begin(), value.items.end(),
                     [](const Literal& item) { return item.kind == Literal::Kind::number; });
}

NpyDtype judge_descr(const Literal& descr, int depth);

// The second item of numpy.dtype((base, x)): a shape, or a dtype to view the base as.
NpyDtype judge_dtype_like(const Literal& value, int depth) {
  return is_shape(value) ? NpyDtype::plain : judge_descr(value, depth + 1);
}

// descr_to_dtype(): a string, a (dtype, shape) tuple, or a list of (name, dtype[, shape]).
NpyDtype judge_descr(const Literal& descr, int depth) {
  if (depth > k_max_nesting) {
    return NpyDtype::unknown;
  }
  switch (descr.kind) {
  case Literal::Kind::text:
    return judge_type_string(descr);
  case Literal::Kind::tuple:
    if (descr.items.size() < 2) {
      return NpyDtype::unknown;
    }
    return combine(judge_descr(descr.items[0], depth + 1), judge_dtype_like(descr.items[1], depth));
  case Literal::Kind::list: {
    NpyDtype result = NpyDtype::plain;
    for (const auto& field : descr.items) {
      if ((field.kind == Literal::Kind::tuple || field.kind == Literal::Kind::list) &&
          (field.items.size() == 2 || field.items.size() == 3)) {
        result = combine(result, judge_descr(field.items[1], depth + 1));
        if (field.items.size() == 3) {
          result = combine(result, judge_dtype_like(field.items[2], depth));
        }
      } else {
        result = NpyDtype::unknown; // a string field is unpacked into characters, and so on
      }
    }
    return result;
  }
  default:
    return NpyDtype::unknown;
  }
}

// Latin-1 bytes as UTF-8, so that both header encodings are read the same way.
std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | byte >> 6));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

} // namespace

NpyDtype judge_npy_header(std::string_view header, bool utf8) {
  const std::string text = utf8 ? std::string(header) : latin1_to_utf8(header);
  std::string_view body = text;
  while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) {
    body.remove_prefix(1); // ast.literal_eval strips leading spaces and tabs
  }
  LiteralReader reader(body, !utf8);
  const auto value = reader.read_all();
  if (!value || value->kind != Literal::Kind::dict) {
    return NpyDtype::unknown;
  }
  // The last 'descr' key wins, as in a Python dict.
  const Literal* descr = nullptr;
  for (std::size_t i = 0; i + 1 < value->items.size(); i += 2) {
    const auto& key = value->items[i];
    if (key.kind == Literal::Kind::text && key.exact && key.text == "descr") {
      descr = &value->items[i + 1];
    }
  }
  if (descr == nullptr) {
    return NpyDtype::unknown;
  }
  return judge_descr(*descr, 0);
}

} // namespace mlv::formats
