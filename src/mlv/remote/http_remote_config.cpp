#include <mlv/remote/http_remote_config.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/remote/webdav_multistatus.hpp>
#include <mlv/util/error.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace mlv::remote {

namespace {

constexpr std::string_view k_header_prefix = "header_";

// RFC 9110 token characters: what a header name may be made of.
bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool has_line_break(std::string_view value) {
  return value.find_first_of("\r\n") != std::string_view::npos;
}

Error bad_url(const std::string& url, const std::string& why, const std::string& hint = {}) {
  return Error(Failure::invalid_input, "remote URL '" + redact_url(url) + "': " + why,
               hint.empty() ? "write it as https://host[:port]/path/to/folder" : hint);
}

struct Credentials {
  std::optional<std::string> user;
  std::optional<std::string> password;
};

// Splits "scheme://[user[:password]@]host[:port][/path]" into the config's base URL and the
// user-info's credentials.
Credentials parse_url(const std::string& url, HttpRemoteConfig& config) {
  const auto separator = url.find("://");
  std::string scheme = url.substr(0, separator);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (separator == std::string::npos || (scheme != "http" && scheme != "https")) {
    throw bad_url(url, "not an http:// or https:// URL");
  }
  if (url.find_first_of("?#") != std::string::npos) {
    throw bad_url(url, "a query string or fragment is not supported",
                  "give the folder's URL alone; put tokens in `remote.NAME.token` or "
                  "`remote.NAME.header_<Name>` with `mlv config --local`");
  }
  const auto authority_start = separator + 3;
  const auto path_start = std::min(url.find('/', authority_start), url.size());
  auto authority = url.substr(authority_start, path_start - authority_start);
  Credentials credentials;
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    const auto user_info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = user_info.find(':');
    credentials.user = percent_decode(user_info.substr(0, colon));
    if (colon != std::string::npos) {
      credentials.password = percent_decode(user_info.substr(colon + 1));
    }
  }
  if (authority.empty() || authority.front() == ':') {
    throw bad_url(url, "the host name is missing");
  }
  std::string path = url.substr(path_start);
  if (path.empty() || path.back() != '/') {
    path += '/';
  }
  config.base_url = scheme + "://" + authority + path;
  config.base_path = percent_decode(path);
  return credentials;
}

void add_auth_header(const Options& options, Credentials credentials, HttpRemoteConfig& config) {
  if (const auto user = option_text(options, "user")) {
    credentials.user = user;
  }
  if (const auto password = option_text(options, "password")) {
    credentials.password = password;
  }
  const auto token = option_text(options, "token");
  if (credentials.password && !credentials.user) {
    throw Error(Failure::invalid_input,
                config.display_url + ": option 'password' is set without 'user'",
                "set the user name with `mlv config remote.NAME.user NAME`");
  }
  if (token && credentials.user) {
    throw Error(Failure::invalid_input,
                config.display_url + ": both option 'token' and a user name are set",
                "use either a bearer token (remote.NAME.token) or user and password, not both");
  }
  if (token) {
    if (has_line_break(*token)) {
      throw Error(Failure::invalid_input, config.display_url + ": option 'token' has a line break",
                  "set it again with `mlv config --local remote.NAME.token TOKEN`");
    }
    config.headers.emplace_back("Authorization", "Bearer " + *token);
    config.auth = "a bearer token (option 'token')";
  } else if (credentials.user) {
    const auto pair = *credentials.user + ":" + credentials.password.value_or("");
    config.headers.emplace_back("Authorization", "Basic " + base64_encode(pair));
    config.auth = "user '" + *credentials.user + "' and " +
                  (credentials.password ? "a password" : "no password");
  } else {
    config.auth = "no credentials";
  }
}

void add_custom_headers(const Options& options, HttpRemoteConfig& config) {
  for (const auto& [key, value] : options) {
    if (!key.starts_with(k_header_prefix)) {
      continue;
    }
    const auto name = key.substr(k_header_prefix.size());
    if (!is_header_name(name)) {
      throw Error(Failure::invalid_input,
                  config.display_url + ": option '" + key + "' does not name a valid header",
                  "write remote.NAME.header_<Name>, e.g. remote.web.header_X-Api-Key");
    }
    if (has_line_break(value)) {
      throw Error(Failure::invalid_input,
                  config.display_url + ": the value of option '" + key + "' has a line break",
                  "set it again with `mlv config --local remote.NAME." + key + " VALUE`");
    }
    config.headers.emplace_back(name, value);
  }
}

} // namespace

HttpRemoteConfig http_remote_config(const std::string& url, const Options& options) {
  HttpRemoteConfig config;
  config.display_url = redact_url(url);
  const auto credentials = parse_url(url, config);
  add_auth_header(options, credentials, config);
  add_custom_headers(options, config);
  return config;
}

} // namespace mlv::remote
