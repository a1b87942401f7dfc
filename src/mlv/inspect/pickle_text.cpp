#include "pickle_text.hpp"

#include <cctype>
#include <limits>

namespace mlv::inspect::pickle_text {

namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'Z') {
    return c - 'A' + 10;
  }
  return 99;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | ((code >> 18) & 0x07)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// `count` hex digits at `at`, or nothing.
std::optional<std::uint32_t> hex_at(std::string_view text, std::size_t at, std::size_t count) {
  if (text.size() < at + count) {
    return std::nullopt;
  }
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const int digit = digit_value(text[at + i]);
    if (digit >= 16) {
      return std::nullopt;
    }
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  return value;
}

} // namespace

std::optional<std::int64_t> parse_integer(std::string_view text, int base) {
  text = trim(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (base == 0) {
    base = 10;
    if (text.size() >= 2 && text[0] == '0') {
      const char prefix = static_cast<char>(std::tolower(static_cast<unsigned char>(text[1])));
      base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 10;
      if (base != 10) {
        text.remove_prefix(2);
        if (!text.empty() && text.front() == '_') {
          text.remove_prefix(1);
        }
      }
    }
  }
  if (text.empty() || text.front() == '_' || text.back() == '_') {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  constexpr auto k_limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  char previous = 0;
  for (const char c : text) {
    if (c == '_') {
      if (previous == '_') {
        return std::nullopt;
      }
      previous = c;
      continue;
    }
    const int digit = digit_value(c);
    if (digit >= base ||
        value > (k_limit - static_cast<std::uint64_t>(digit)) / static_cast<std::uint64_t>(base)) {
      return std::nullopt;
    }
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
    previous = c;
  }
  const auto signed_value = static_cast<std::int64_t>(value);
  return negative ? -signed_value : signed_value;
}

std::string unquote_string(std::string_view text) {
  if (text.size() < 2 || (text.front() != '\'' && text.front() != '"') ||
      text.back() != text.front()) {
    return std::string(text);
  }
  text = text.substr(1, text.size() - 2);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    const char escape = text[++i];
    switch (escape) {
    case 'n':
      out.push_back('\n');
      break;
    case 'r':
      out.push_back('\r');
      break;
    case 't':
      out.push_back('\t');
      break;
    case 'a':
      out.push_back('\a');
      break;
    case 'b':
      out.push_back('\b');
      break;
    case 'f':
      out.push_back('\f');
      break;
    case 'v':
      out.push_back('\v');
      break;
    case '\n':
      break; // a line continuation
    case 'x':
      if (const auto value = hex_at(text, i + 1, 2)) {
        out.push_back(static_cast<char>(*value));
        i += 2;
      } else {
        out += "\\x";
      }
      break;
    default:
      if (escape >= '0' && escape <= '7') {
        unsigned value = 0;
        std::size_t digits = 0;
        while (digits < 3 && i < text.size() && text[i] >= '0' && text[i] <= '7') {
          value = value * 8 + static_cast<unsigned>(text[i] - '0');
          ++i;
          ++digits;
        }
        --i;
        out.push_back(static_cast<char>(value & 0xFF));
      } else if (escape == '\\' || escape == '\'' || escape == '"') {
        out.push_back(escape);
      } else {
        out.push_back('\\');
        out.push_back(escape);
      }
    }
  }
  return out;
}

std::string decode_raw_unicode_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'u' || text[i + 1] == 'U')) {
      const std::size_t digits = text[i + 1] == 'u' ? 4 : 8;
      if (const auto code = hex_at(text, i + 2, digits); code && *code <= 0x10FFFF) {
        append_utf8(out, *code);
        i += 1 + digits;
        continue;
      }
    }
    append_utf8(out, static_cast<unsigned char>(text[i]));
  }
  return out;
}

std::optional<std::string> encode_latin1(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      out.push_back(static_cast<char>(byte));
    } else if ((byte & 0xE0) == 0xC0 && i + 1 < text.size()) {
      const auto code = static_cast<std::uint32_t>(
          ((byte & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
      if (code > 0xFF) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(code));
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

} // namespace mlv::inspect::pickle_text
