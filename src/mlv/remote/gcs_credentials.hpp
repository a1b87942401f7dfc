#pragma once

#include <mlv/remote/text_codec.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

// Google service-account credentials: the key file, the RS256-signed JWT assertion exchanged
// for an OAuth2 access token, and the token endpoint's answer. Private to the GCS backend.
namespace mlv::remote::gcs {

// The OAuth2 scope mlv asks for: read and write objects, nothing else.
inline constexpr std::string_view k_scope = "https://www.googleapis.com/auth/devstorage.read_write";
// Used when a key file names no token_uri (every key Google issues names one).
inline constexpr std::string_view k_default_token_uri = "https://oauth2.googleapis.com/token";
// Google accepts assertions valid for at most an hour.
inline constexpr std::chrono::seconds k_assertion_lifetime{3600};
inline constexpr std::string_view k_jwt_grant_type = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct ServiceAccountKey {
  std::string client_email;
  std::string private_key; // PEM; never printed
  std::string token_uri;
  std::string source; // the key file's path, for messages
};

// Reads a service-account key file (JSON with type "service_account"). `origin` says where the
// path came from ("option credentialpath", "GOOGLE_APPLICATION_CREDENTIALS") for messages.
// Throws Error(bad_input) naming the file and the field; never quotes the key.
ServiceAccountKey read_service_account_key(const std::filesystem::path& path,
                                           const std::string& origin);
ServiceAccountKey parse_service_account_key(std::string_view json, const std::string& source);

// The signed JWT (header.claims.signature, base64url) that asks for an access token: issuer the
// key's client_email, audience its token_uri, issued at `now` (seconds since the epoch).
// Throws Error(bad_input) when private_key is not an RSA private key in PEM form.
std::string make_jwt_assertion(const ServiceAccountKey& key, std::int64_t now);

// The x-www-form-urlencoded body of the token request for an assertion.
std::string token_request_body(std::string_view assertion);

using remote::base64url; // text_codec.hpp

struct TokenGrant {
  std::string access_token;
  std::chrono::seconds expires_in{0};
};

// Reads the token endpoint's successful answer; throws std::runtime_error when it lacks
// access_token or a positive expires_in (without quoting the token).
TokenGrant parse_token_response(std::string_view body);

// How long before its expiry a cached token is replaced: a minute, or half the lifetime of a
// short-lived token, so that a request never leaves with a token about to expire.
std::chrono::milliseconds refresh_margin(std::chrono::seconds lifetime);

} // namespace mlv::remote::gcs
