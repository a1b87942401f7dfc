#include "gcs_settings.hpp"

#include <mlv/util/error.hpp>

#include <cstdlib>

namespace mlv::remote::gcs {

namespace {

constexpr std::string_view k_scheme = "gs://";
constexpr std::size_t k_max_bucket_name = 222; // 63 per dot-separated part

bool is_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > k_max_bucket_name) {
    return false;
  }
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (const char c : name) {
    if (!lower_alnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return lower_alnum(name.front()) && lower_alnum(name.back());
}

std::filesystem::path expand_home(const std::string& path, const Environment& environment) {
  if (path.starts_with("~/")) {
    if (const auto home = environment("HOME")) {
      return std::filesystem::path(*home) / path.substr(2);
    }
  }
  return path;
}

std::string endpoint_from(std::string value, const std::string& origin) {
  if (!value.starts_with("http://") && !value.starts_with("https://")) {
    throw Error(Failure::invalid_input, origin + " '" + value + "' is not an http(s) URL",
                "write it as http://host:port or https://host");
  }
  if (value.find_first_of("?#@ ") != std::string::npos) {
    throw Error(Failure::invalid_input,
                origin + " must be a plain http(s) URL without user, query or fragment",
                "write it as http://host:port or https://host");
  }
  while (value.ends_with('/')) {
    value.pop_back();
  }
  return value;
}

} // namespace

Location parse_gs_url(const std::string& url) {
  if (!url.starts_with(k_scheme)) {
    throw Error(Failure::invalid_input, "remote URL '" + url + "' is not a gs:// URL");
  }
  const std::string rest = url.substr(k_scheme.size());
  const auto slash = rest.find('/');
  Location location;
  location.bucket = rest.substr(0, slash);
  if (!is_bucket_name(location.bucket)) {
    throw Error(Failure::invalid_input,
                "remote URL '" + url + "': '" + location.bucket + "' is not a valid bucket name",
                "write gs://BUCKET or gs://BUCKET/PREFIX; bucket names are 3-63 lower-case "
                "letters, digits, '-', '_' and '.'");
  }
  if (slash != std::string::npos) {
    std::string prefix = rest.substr(slash + 1);
    while (prefix.ends_with('/')) {
      prefix.pop_back();
    }
    if (prefix.find("//") != std::string::npos || prefix.find_first_of("?#") != std::string::npos ||
        prefix.starts_with('/')) {
      throw Error(Failure::invalid_input,
                  "remote URL '" + url +
                      "': the prefix after the bucket has an empty part, "
                      "'?' or '#'",
                  "write gs://BUCKET/folder/subfolder");
    }
    if (!prefix.empty()) {
      location.prefix = prefix + "/";
    }
  }
  return location;
}

std::string storage_endpoint(const Options& options, const Environment& environment) {
  if (const auto value = option_text(options, "endpointurl")) {
    return endpoint_from(*value, "option endpointurl");
  }
  if (auto host = environment("STORAGE_EMULATOR_HOST")) {
    if (!host->starts_with("http://") && !host->starts_with("https://")) {
      *host = "http://" + *host;
    }
    return endpoint_from(*host, "STORAGE_EMULATOR_HOST");
  }
  return std::string(k_default_endpoint);
}

AuthChoice choose_auth(const Options& options, const Environment& environment) {
  AuthChoice choice;
  if (auto token = option_text(options, "token")) {
    choice.kind = AuthKind::token;
    choice.token = std::move(*token);
    choice.origin = "option token";
  } else if (const auto path = option_text(options, "credentialpath")) {
    choice.kind = AuthKind::service_account;
    choice.key_file = expand_home(*path, environment);
    choice.origin = "option credentialpath";
  } else if (auto env_token = environment("GOOGLE_OAUTH_ACCESS_TOKEN")) {
    choice.kind = AuthKind::token;
    choice.token = std::move(*env_token);
    choice.origin = "GOOGLE_OAUTH_ACCESS_TOKEN";
  } else if (const auto env_path = environment("GOOGLE_APPLICATION_CREDENTIALS")) {
    choice.kind = AuthKind::service_account;
    choice.key_file = expand_home(*env_path, environment);
    choice.origin = "GOOGLE_APPLICATION_CREDENTIALS";
  }
  return choice;
}

} // namespace mlv::remote::gcs
