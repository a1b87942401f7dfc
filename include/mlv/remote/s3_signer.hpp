#pragma once

#include <mlv/remote/http_engine.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace mlv::remote::s3 {

// An access key pair, and the session token that temporary credentials add.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// What a Signature Version 4 signature covers besides the request itself.
struct SigningScope {
  std::string region = "us-east-1";
  std::string service = "s3";
};

// The hash S3 accepts in x-amz-content-sha256 for a body it should not hash (file uploads).
inline constexpr std::string_view k_unsigned_payload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view k_empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS's UriEncode: every byte but A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex); '/' is kept
// when `keep_slash` (object key paths) and encoded otherwise (query names and values).
std::string aws_uri_encode(std::string_view text, bool keep_slash);

// "20150830T123600Z" for a point in time.
std::string amz_date(std::chrono::system_clock::time_point time);

// The canonical query string: parameters decoded, re-encoded with aws_uri_encode, sorted by name
// then value; "a" without '=' becomes "a=".
std::string canonical_query(std::string_view query);

// The inputs of one signature, already split out of the request.
struct SigningInput {
  std::string method;
  std::string canonical_uri; // the URL's path as sent (already encoded), "/" when empty
  std::string query;         // the URL's query as sent, without '?'
  Headers headers;           // the headers to sign, any case; values are trimmed
  std::string payload_hash;  // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
  std::string amz_date;      // "YYYYMMDDTHHMMSSZ"
};

std::string canonical_request(const SigningInput& input);
std::string string_to_sign(const SigningInput& input, const SigningScope& scope);
// The hex signature of `input` (signing key derived from the secret, date, region and service).
std::string
signature(const SigningInput& input, const SigningScope& scope, const Credentials& credentials);
// The value of the Authorization header.
std::string
authorization(const SigningInput& input, const SigningScope& scope, const Credentials& credentials);

// Signs an HTTP request in place for `now`: sets x-amz-date, x-amz-content-sha256 (`payload_hash`),
// x-amz-security-token (when the credentials have one) and Authorization, replacing any from an
// earlier attempt. Signs the Host (from the URL), a Range header when the request carries one, and
// every x-amz-* header.
void sign_request(HttpRequest& request,
                  const SigningScope& scope,
                  const Credentials& credentials,
                  std::string_view payload_hash,
                  std::chrono::system_clock::time_point now);

} // namespace mlv::remote::s3
