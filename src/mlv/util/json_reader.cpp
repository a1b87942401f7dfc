#include <mlv/util/json_reader.hpp>
#include <mlv/util/utf8.hpp>

#include <algorithm>
#include <charconv>

namespace mlv::util {

JsonValue::JsonValue() = default;
JsonValue::~JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;

namespace {

// Deeper documents are refused rather than risking the stack.
constexpr int k_max_depth = 64;

class Parser {
public:
  Parser(std::string_view text, std::size_t max_values) : text_(text), max_values_(max_values) {}

  JsonValue document() {
    skip_space();
    auto value = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) {
      fail("unexpected data after the value");
    }
    return value;
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    throw JsonError("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  void expect(char c) {
    if (peek() != c || at_end()) {
      fail(std::string("expected '") + c + "'");
    }
    ++pos_;
  }

  void expect_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      fail("unknown literal");
    }
    pos_ += word.size();
  }

  JsonValue parse_value(int depth) {
    if (depth > k_max_depth) {
      fail("nested too deeply");
    }
    if (++values_ > max_values_) {
      fail("more than " + std::to_string(max_values_) + " values");
    }
    JsonValue value;
    switch (peek()) {
    case '{':
      parse_object(value, depth);
      break;
    case '[':
      parse_array(value, depth);
      break;
    case '"':
      value.type = JsonValue::Type::string;
      value.text = parse_string();
      break;
    case 't':
      expect_word("true");
      value.type = JsonValue::Type::boolean;
      value.boolean = true;
      break;
    case 'f':
      expect_word("false");
      value.type = JsonValue::Type::boolean;
      break;
    case 'n':
      expect_word("null");
      break;
    default:
      value.type = JsonValue::Type::number;
      value.text = parse_number();
    }
    return value;
  }

  void parse_object(JsonValue& value, int depth) {
    value.type = JsonValue::Type::object;
    expect('{');
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return;
    }
    while (true) {
      skip_space();
      if (peek() != '"') {
        fail("expected a member name");
      }
      auto name = parse_string();
      skip_space();
      expect(':');
      skip_space();
      value.members.emplace_back(std::move(name), parse_value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      require_unique_names(value.members);
      return;
    }
  }

  // Readers disagree on which of two equal names wins (a safetensors header could show mlv one
  // tensor and the loader another), so a repeat is refused rather than guessed at. Sorting views
  // once the object is complete keeps a header of thousands of tensors O(n log n).
  void require_unique_names(const std::vector<std::pair<std::string, JsonValue>>& members) const {
    if (members.size() < 2) {
      return;
    }
    std::vector<std::string_view> names;
    names.reserve(members.size());
    for (const auto& member : members) {
      names.emplace_back(member.first);
    }
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end()) {
      fail("a member name appears twice in one object");
    }
  }

  void parse_array(JsonValue& value, int depth) {
    value.type = JsonValue::Type::array;
    expect('[');
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    while (true) {
      skip_space();
      value.items.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return;
    }
  }

  std::string parse_number() {
    const auto start = pos_;
    auto digits = [&] {
      const auto first = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9') {
        ++pos_;
      }
      return pos_ - first;
    };
    if (peek() == '-') {
      ++pos_;
    }
    if (peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      fail("expected a value");
    }
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) {
        fail("expected digits after the decimal point");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') {
        ++pos_;
      }
      if (digits() == 0) {
        fail("expected digits in the exponent");
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  unsigned parse_hex4() {
    if (pos_ + 4 > text_.size()) {
      fail("truncated \\u escape");
    }
    unsigned code = 0;
    const auto* first = text_.data() + pos_;
    const auto [end, error] = std::from_chars(first, first + 4, code, 16);
    if (error != std::errc() || end != first + 4) {
      fail("bad \\u escape");
    }
    pos_ += 4;
    return code;
  }

  // A \uXXXX escape, joining a UTF-16 surrogate pair into one code point.
  unsigned parse_unicode_escape() {
    const unsigned code = parse_hex4();
    if (code >= 0xDC00 && code <= 0xDFFF) {
      fail("unpaired low surrogate");
    }
    if (code < 0xD800 || code > 0xDBFF) {
      return code;
    }
    if (text_.substr(pos_, 2) != "\\u") {
      fail("unpaired high surrogate");
    }
    pos_ += 2;
    const unsigned low = parse_hex4();
    if (low < 0xDC00 || low > 0xDFFF) {
      fail("unpaired high surrogate");
    }
    return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (at_end()) {
        fail("unterminated string");
      }
      const char c = text_[pos_++];
      if (c == '"') {
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        fail("control character in a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) {
        fail("unterminated string");
      }
      const char escape = text_[pos_++];
      switch (escape) {
      case '"':
      case '\\':
      case '/':
        out += escape;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u':
        append_utf8(out, parse_unicode_escape());
        break;
      default:
        --pos_;
        fail("unknown escape");
      }
    }
  }

  std::string_view text_;
  std::size_t max_values_;
  std::size_t values_ = 0;
  std::size_t pos_ = 0;
};

} // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) {
      return &value;
    }
  }
  return nullptr;
}

std::optional<std::string> JsonValue::string_at(std::string_view key) const {
  const auto* value = find(key);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return value->text;
}

std::optional<std::uint64_t> JsonValue::as_unsigned() const {
  if ((type != Type::number && type != Type::string) || text.empty()) {
    return std::nullopt;
  }
  std::uint64_t number = 0;
  const auto* first = text.data();
  const auto* last = first + text.size();
  const auto [end, error] = std::from_chars(first, last, number);
  if (error != std::errc() || end != last) {
    return std::nullopt;
  }
  return number;
}

std::optional<std::uint64_t> JsonValue::unsigned_at(std::string_view key) const {
  const auto* value = find(key);
  return value == nullptr ? std::nullopt : value->as_unsigned();
}

JsonValue parse_json(std::string_view text, std::size_t max_values) {
  return Parser(text, max_values).document();
}

} // namespace mlv::util
