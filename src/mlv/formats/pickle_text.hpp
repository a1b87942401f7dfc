#pragma once

// Private to the formats module: the text forms protocol 0 pickles write their arguments in,
// decoded the way Python's unpickler decodes them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlv::formats::pickle_text {

// An integer as Python's int(text, base) reads it (base 0 allows 0x, 0o and 0b prefixes;
// surrounding whitespace, a sign and '_' between digits are accepted). Nothing when it is no
// integer or does not fit in 64 bits.
std::optional<std::int64_t> parse_integer(std::string_view text, int base);

// The content of a STRING argument: a quoted Python bytes literal ('abc', "it's", with \x41,
// \n, octal escapes); the text itself when it is not quoted.
std::string unquote_string(std::string_view text);

// UNICODE's raw-unicode-escape argument as UTF-8: \uXXXX and \UXXXXXXXX escapes decoded, every
// other byte taken as a Latin-1 character.
std::string decode_raw_unicode_escape(std::string_view text);

// The bytes of UTF-8 `text` encoded as Latin-1 (what _codecs.encode(text, "latin1") returns,
// which is how protocols 0 to 2 pickle bytes); nothing when a character is beyond U+00FF.
std::optional<std::string> encode_latin1(std::string_view text);

// The bytes of UTF-8 `text` in a Python codec named any way Python's codec lookup accepts
// (latin-1, UTF-8, UTF-16 and UTF-32 with or without a byte order, ASCII); nothing for another
// codec or text that codec cannot encode.
std::optional<std::string> encode_text(std::string_view text, std::string_view encoding);

} // namespace mlv::formats::pickle_text
