#include "pickle_text.hpp"

#include <cctype>
#include <limits>
#include <utility>
#include <vector>

namespace mlv::formats::pickle_text {

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

namespace {

// The code points of UTF-8 text; nothing when it is not valid UTF-8 (a lone surrogate from a
// \ud800 escape: Python's encoders refuse those too).
std::optional<std::vector<std::uint32_t>> code_points(std::string_view text) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = byte < 0x80             ? 1
                               : (byte & 0xE0) == 0xC0 ? 2
                               : (byte & 0xF0) == 0xE0 ? 3
                               : (byte & 0xF8) == 0xF0 ? 4
                                                       : 0;
    if (length == 0 || i + length > text.size()) {
      return std::nullopt;
    }
    std::uint32_t code = length == 1 ? byte : byte & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      code = code << 6 | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    if (code >= 0xD800 && code <= 0xDFFF) {
      return std::nullopt;
    }
    out.push_back(code);
    i += length;
  }
  return out;
}

void put_unit(std::string& out, std::uint32_t unit, std::size_t width, bool big_endian) {
  for (std::size_t k = 0; k < width; ++k) {
    const std::size_t shift = 8 * (big_endian ? width - 1 - k : k);
    out.push_back(static_cast<char>((unit >> shift) & 0xFF));
  }
}

// Python's codec lookup: lower case, every run of other characters than letters, digits and
// '.' as one '_', then the alias table (the aliases of the codecs handled here).
std::string normalize_codec(std::string_view name) {
  std::string out;
  bool gap = false;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.') {
      if (gap && !out.empty()) {
        out.push_back('_');
      }
      gap = false;
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      gap = true;
    }
  }
  static const std::vector<std::pair<std::string_view, std::string_view>> k_aliases = {
      {"latin1", "latin_1"},
      {"latin", "latin_1"},
      {"l1", "latin_1"},
      {"iso8859_1", "latin_1"},
      {"iso_8859_1", "latin_1"},
      {"8859", "latin_1"},
      {"cp819", "latin_1"},
      {"ibm819", "latin_1"},
      {"iso_ir_100", "latin_1"},
      {"csisolatin1", "latin_1"},
      {"iso_8859_1_1987", "latin_1"},
      {"utf8", "utf_8"},
      {"u8", "utf_8"},
      {"utf", "utf_8"},
      {"utf8_ucs2", "utf_8"},
      {"utf8_ucs4", "utf_8"},
      {"cp65001", "utf_8"},
      {"utf16", "utf_16"},
      {"u16", "utf_16"},
      {"utf_16le", "utf_16_le"},
      {"unicodelittleunmarked", "utf_16_le"},
      {"utf_16be", "utf_16_be"},
      {"unicodebigunmarked", "utf_16_be"},
      {"utf32", "utf_32"},
      {"u32", "utf_32"},
      {"utf_32le", "utf_32_le"},
      {"utf_32be", "utf_32_be"},
      {"646", "ascii"},
      {"us_ascii", "ascii"},
      {"us", "ascii"},
      {"ansi_x3.4_1968", "ascii"},
      {"cp367", "ascii"},
      {"csascii", "ascii"},
      {"ibm367", "ascii"},
      {"iso646_us", "ascii"},
      {"iso_646.irv_1991", "ascii"},
      {"iso_ir_6", "ascii"},
      {"ansi_x3_4_1968", "ascii"},
  };
  for (const auto& [alias, codec] : k_aliases) {
    if (out == alias) {
      return std::string(codec);
    }
  }
  return out;
}

} // namespace

std::optional<std::string> encode_text(std::string_view text, std::string_view encoding) {
  const std::string codec = normalize_codec(encoding);
  if (codec == "latin_1") {
    return encode_latin1(text);
  }
  const auto points = code_points(text);
  if (!points) {
    return std::nullopt;
  }
  std::string out;
  if (codec == "utf_8") {
    return std::string(text);
  }
  if (codec == "ascii") {
    for (const auto cp : *points) {
      if (cp > 0x7F) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(cp));
    }
    return out;
  }
  const bool utf16 = codec.starts_with("utf_16");
  const bool utf32 = codec.starts_with("utf_32");
  if (!utf16 && !utf32) {
    return std::nullopt; // a codec the scanner does not evaluate
  }
  const std::string_view order = std::string_view(codec).substr(6);
  if (!order.empty() && order != "_le" && order != "_be") {
    return std::nullopt;
  }
  const bool big_endian = order == "_be";
  const std::size_t width = utf16 ? 2 : 4;
  if (order.empty()) {
    put_unit(out, 0xFEFF, width, false); // the byte order mark, little-endian like the machine
  }
  for (const auto cp : *points) {
    if (utf16 && cp > 0xFFFF) {
      put_unit(out, 0xD800 + ((cp - 0x10000) >> 10), 2, big_endian);
      put_unit(out, 0xDC00 + ((cp - 0x10000) & 0x3FF), 2, big_endian);
    } else {
      put_unit(out, cp, width, big_endian);
    }
  }
  return out;
}

} // namespace mlv::formats::pickle_text
