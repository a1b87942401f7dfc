#include <mlv/hash/sha256.hpp>
#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/s3_signer.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <utility>
#include <vector>

namespace mlv::remote::s3 {

namespace {

constexpr std::string_view k_algorithm = "AWS4-HMAC-SHA256";

// Trims the ends and folds inner runs of spaces into one, as the canonical headers require.
std::string trim_header_value(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      in_space = !out.empty();
      continue;
    }
    if (in_space) {
      out.push_back(' ');
      in_space = false;
    }
    out.push_back(c);
  }
  return out;
}

// The parts of a URL a signature needs: the Host header as libcurl sends it, path and query.
struct UrlParts {
  std::string host;
  std::string path;
  std::string query;
};

UrlParts split_url(const std::string& url) {
  UrlParts parts;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    throw Error(Failure::failed, "cannot sign a request without an absolute URL");
  }
  const auto scheme = lower(std::string_view(url).substr(0, scheme_end));
  const auto authority_start = scheme_end + 3;
  const auto path_start = url.find_first_of("/?#", authority_start);
  std::string authority =
      url.substr(authority_start, path_start == std::string::npos ? std::string::npos
                                                                  : path_start - authority_start);
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    authority.erase(0, at + 1);
  }
  // libcurl leaves a scheme's default port out of the Host header.
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (authority.ends_with(default_port)) {
    authority.resize(authority.size() - default_port.size());
  }
  parts.host = lower(authority);
  if (path_start == std::string::npos) {
    parts.path = "/";
    return parts;
  }
  const auto query_start = url.find('?', path_start);
  const auto fragment = url.find('#', path_start);
  const auto path_end = std::min(query_start, fragment);
  parts.path = url.substr(path_start, path_end == std::string::npos ? std::string::npos
                                                                    : path_end - path_start);
  if (parts.path.empty() || parts.path.front() != '/') {
    parts.path.insert(parts.path.begin(), '/');
  }
  if (query_start != std::string::npos) {
    parts.query =
        url.substr(query_start + 1,
                   fragment == std::string::npos ? std::string::npos : fragment - query_start - 1);
  }
  return parts;
}

bool is_signed_header(const std::string& lower_name) {
  return lower_name == "host" || lower_name == "range" || lower_name.starts_with("x-amz-") ||
         lower_name == "content-md5" || lower_name == "content-type";
}

bool is_signing_header(const std::string& lower_name) {
  return lower_name == "authorization" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-content-sha256" || lower_name == "x-amz-security-token";
}

// Sorted lower-case names with their trimmed values (repeated names joined by ',').
std::vector<std::pair<std::string, std::string>> canonical_header_list(const Headers& headers) {
  std::vector<std::pair<std::string, std::string>> list;
  for (const auto& [name, value] : headers) {
    auto key = lower(name);
    auto trimmed = trim_header_value(value);
    auto existing = std::find_if(list.begin(), list.end(),
                                 [&](const auto& entry) { return entry.first == key; });
    if (existing != list.end()) {
      existing->second += "," + trimmed;
    } else {
      list.emplace_back(std::move(key), std::move(trimmed));
    }
  }
  std::sort(list.begin(), list.end());
  return list;
}

std::string date_stamp(const SigningInput& input) {
  return input.amz_date.substr(0, 8);
}

std::string credential_scope(const SigningInput& input, const SigningScope& scope) {
  return date_stamp(input) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string signed_header_names(const SigningInput& input) {
  std::string names;
  for (const auto& entry : canonical_header_list(input.headers)) {
    names += (names.empty() ? "" : ";") + entry.first;
  }
  return names;
}

} // namespace

std::string aws_uri_encode(std::string_view text, bool keep_slash) {
  // SigV4's UriEncode is RFC 3986's: unreserved characters kept, upper-case hex otherwise.
  return keep_slash ? url_escape_path(text) : url_escape(text);
}

std::string amz_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const auto size = std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%SZ", &utc);
  return std::string(text.data(), size);
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) {
      end = query.size();
    }
    const auto item = query.substr(start, end - start);
    if (!item.empty()) {
      const auto equals = item.find('=');
      const auto name = item.substr(0, equals);
      const auto value =
          equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1);
      parameters.emplace_back(aws_uri_encode(percent_decode(name), false),
                              aws_uri_encode(percent_decode(value), false));
    }
    start = end + 1;
  }
  std::sort(parameters.begin(), parameters.end());
  std::string out;
  for (const auto& [name, value] : parameters) {
    out += (out.empty() ? "" : "&") + name + "=" + value;
  }
  return out;
}

std::string canonical_request(const SigningInput& input) {
  std::string request = input.method + "\n";
  request += (input.canonical_uri.empty() ? "/" : input.canonical_uri) + "\n";
  request += canonical_query(input.query) + "\n";
  for (const auto& [name, value] : canonical_header_list(input.headers)) {
    request += name + ":" + value + "\n";
  }
  request += "\n" + signed_header_names(input) + "\n" + input.payload_hash;
  return request;
}

std::string string_to_sign(const SigningInput& input, const SigningScope& scope) {
  return std::string(k_algorithm) + "\n" + input.amz_date + "\n" + credential_scope(input, scope) +
         "\n" + hash::sha256_hex(canonical_request(input));
}

std::string
signature(const SigningInput& input, const SigningScope& scope, const Credentials& credentials) {
  const auto date_key = hmac_sha256("AWS4" + credentials.secret_access_key, date_stamp(input));
  const auto region_key = hmac_sha256(date_key, scope.region);
  const auto service_key = hmac_sha256(region_key, scope.service);
  const auto signing_key = hmac_sha256(service_key, "aws4_request");
  const auto raw = hmac_sha256(signing_key, string_to_sign(input, scope));
  return hash::to_hex(std::as_bytes(std::span(raw.data(), raw.size())));
}

std::string authorization(const SigningInput& input,
                          const SigningScope& scope,
                          const Credentials& credentials) {
  return std::string(k_algorithm) + " Credential=" + credentials.access_key_id + "/" +
         credential_scope(input, scope) + ", SignedHeaders=" + signed_header_names(input) +
         ", Signature=" + signature(input, scope, credentials);
}

void sign_request(HttpRequest& request,
                  const SigningScope& scope,
                  const Credentials& credentials,
                  std::string_view payload_hash,
                  std::chrono::system_clock::time_point now) {
  std::erase_if(request.headers,
                [](const auto& header) { return is_signing_header(lower(header.first)); });
  const auto date = amz_date(now);
  request.headers.emplace_back("x-amz-date", date);
  request.headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }

  const auto url = split_url(request.url);
  SigningInput input;
  input.method = request.method;
  input.canonical_uri = url.path;
  input.query = url.query;
  input.payload_hash = std::string(payload_hash);
  input.amz_date = date;
  input.headers.emplace_back("host", url.host);
  for (const auto& header : request.headers) {
    const auto name = lower(header.first);
    if (name != "host" && is_signed_header(name)) {
      input.headers.push_back(header);
    }
  }
  request.headers.emplace_back("Authorization", authorization(input, scope, credentials));
}

} // namespace mlv::remote::s3
