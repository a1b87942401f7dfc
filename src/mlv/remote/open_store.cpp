#include <mlv/remote/azure_store.hpp>
#include <mlv/remote/gcs_store.hpp>
#include <mlv/remote/http_store.hpp>
#include <mlv/remote/local_store.hpp>
#include <mlv/remote/object_store.hpp>
#include <mlv/remote/s3_store.hpp>
#include <mlv/util/error.hpp>

#include <array>
#include <functional>
#include <regex>

namespace mlv::remote {

namespace {

using Factory =
    std::function<std::unique_ptr<ObjectStore>(const std::string& url, const Options& options)>;

struct Scheme {
  const char* name;
  Factory factory;
};

std::unique_ptr<ObjectStore> open_file_url(const std::string& url, const Options& options) {
  const std::string rest = url.substr(std::string("file://").size());
  if (rest.empty() || rest.front() != '/') {
    throw Error(Failure::invalid_input,
                "remote URL '" + url + "': a file URL needs an absolute path",
                "write file:///absolute/path, or give a plain folder path");
  }
  return make_local_store(rest, options);
}

// Each scheme mlv can talk to, and the factory that opens it.
const std::array<Scheme, 6> k_schemes = {{
    {"file", open_file_url},
    {"s3", make_s3_store},
    {"gs", make_gcs_store},
    {"http", make_http_store},
    {"https", make_http_store},
    {"azure", make_azure_store},
}};

} // namespace

std::unique_ptr<ObjectStore> open_store(const std::string& url, const Options& options) {
  if (url.empty()) {
    throw Error(Failure::invalid_input, "the remote URL is empty",
                "`mlv remote modify NAME url URL` sets it");
  }
  const auto separator = url.find("://");
  if (separator == std::string::npos) {
    return make_local_store(url, options);
  }
  const auto scheme = url.substr(0, separator);
  for (const auto& entry : k_schemes) {
    if (scheme == entry.name) {
      return entry.factory(url, options);
    }
  }
  throw Error(Failure::invalid_input,
              "remote URL '" + redact_url(url) + "': unsupported scheme '" + scheme + "'",
              "use a folder path, file://, s3://, gs://, azure://, http:// or https://");
}

std::string redact_url(const std::string& url) {
  // A password in the user-info goes, the user name stays ("https://me:***@host"); user-info
  // without a colon is often a token on its own ("https://TOKEN@host"), so it goes whole.
  static const std::regex user_and_password(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:?#]*):[^/@?#]*@)");
  static const std::regex user_only(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@:?#]+@)");
  static const std::regex secret_query(
      R"(([?&](sig|signature|token|access_token|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential|sv|sp|se|st|skoid|sktid)=)[^&#]*)",
      std::regex::icase);
  auto redacted = std::regex_replace(url, user_and_password, "$1:***@",
                                     std::regex_constants::format_first_only);
  if (redacted == url) {
    redacted =
        std::regex_replace(url, user_only, "$1***@", std::regex_constants::format_first_only);
  }
  return std::regex_replace(redacted, secret_query, "$1***");
}

std::optional<std::string> option_text(const Options& options, const std::string& name) {
  const auto it = options.find(name);
  if (it == options.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second;
}

} // namespace mlv::remote
