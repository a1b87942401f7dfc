#pragma once

#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/text_codec.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::remote::azure {

// The REST API version every request names (x-ms-version) and SAS tokens the tests make use.
inline constexpr const char* k_api_version = "2021-08-06";

using remote::base64_decode; // text_codec.hpp
using remote::base64_encode;

// HMAC-SHA256 of `message` with `key` (raw bytes), base64-encoded: the Shared Key signature.
std::string hmac_sha256_base64(std::string_view key, std::string_view message);

// "Sun, 06 Nov 1994 08:49:37 GMT": the form of x-ms-date.
std::string http_date(std::chrono::system_clock::time_point when);

// The Shared Key string-to-sign of a Blob service request (version 2015-02-21 and later), built
// by Microsoft's documented rules: the verb, eleven standard headers (Content-Length empty when
// zero), the x-ms-* headers lower-cased, sorted and trimmed, then "/account/path" and the query
// parameters lower-cased, sorted, decoded, one "\nname:value" each. `url` is the full URL as sent.
std::string string_to_sign(const std::string& method,
                           const std::string& url,
                           const Headers& headers,
                           const std::string& account);

// Sets x-ms-date, x-ms-version and Authorization ("SharedKey account:signature") on a request,
// replacing any from an earlier attempt. `key` is the account key as given (base64).
void sign_shared_key(HttpRequest& request,
                     const std::string& account,
                     const std::string& key,
                     std::chrono::system_clock::time_point now);

} // namespace mlv::remote::azure
