#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Text encodings that the network backends' protocols share: header text, URL escapes,
// base64 and HMAC for request signing. One copy here, not one per backend.
namespace mlv::remote {

// ASCII lower case (header names, hex digests).
std::string lower(std::string_view text);
// Without leading and trailing spaces, tabs and line ends.
std::string trim(std::string_view text);
// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text);

std::string base64_encode(std::string_view bytes);
// Standard base64, with or without '=' padding; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);
// base64url without padding (JWT, RFC 7515).
std::string base64url(std::string_view bytes);

// HMAC-SHA256 of `message` under `key`: the 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Object times in listings, as seconds since the epoch; 0 when the text does not parse.
// "Sun, 06 Nov 1994 08:49:37 GMT" (HTTP's date: WebDAV, Azure).
std::int64_t parse_http_date(std::string_view text);
// "2013-05-24T00:00:00.000Z" (ISO 8601 / RFC 3339: S3, GCS); fractions and zone are ignored.
std::int64_t parse_iso8601(std::string_view text);

} // namespace mlv::remote
