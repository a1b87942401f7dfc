#pragma once

#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/object_store.hpp>

#include <string>

namespace mlv::remote {

// Where an http(s):// remote lives and what every request to it carries.
struct HttpRemoteConfig {
  std::string base_url;    // "https://host:port/path/": no user-info, always ends with '/'
  std::string base_path;   // the path of base_url, percent-decoded ("/path/"), to match hrefs
  std::string display_url; // the URL as configured, with secrets redacted
  Headers headers;         // Authorization and the `header_<Name>` options, sent every time
  std::string auth;        // what identifies us, for a 401's message: "no credentials",
                           // "user 'alice' and a password", "a bearer token" ...
};

// Reads an http:// or https:// URL and the remote's options: `user` + `password` (or user-info
// in the URL) for basic auth, `token` for a bearer token, `header_<Name>` for custom headers.
// Throws Error(bad_input) naming the URL (redacted) or the option that is wrong.
HttpRemoteConfig http_remote_config(const std::string& url, const Options& options);

} // namespace mlv::remote
