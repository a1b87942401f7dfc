#pragma once

#include <mlv/remote/environment.hpp>
#include <mlv/remote/object_store.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

// What a gs:// remote's URL, options and environment say: where the objects are, which endpoint
// to talk to, and how to authenticate. Pure functions, private to the GCS backend.
namespace mlv::remote::gcs {

inline constexpr std::string_view k_default_endpoint = "https://storage.googleapis.com";

// Reads an environment variable; the process environment in production, a map in tests.
using remote::Environment; // environment.hpp
using remote::process_environment;

struct Location {
  std::string bucket;
  std::string prefix; // "" or "a/b/": object names are prefix + key
};

// "gs://bucket" or "gs://bucket/some/prefix"; throws Error(bad_input) naming the URL.
Location parse_gs_url(const std::string& url);

// The JSON API's base URL without a trailing '/': option endpointurl, else STORAGE_EMULATOR_HOST
// (a bare host:port means http), else Google's. Throws Error(bad_input) naming the option.
std::string storage_endpoint(const Options& options, const Environment& environment);

enum class AuthKind {
  anonymous,       // no Authorization header: an emulator, or a public bucket
  token,           // a given OAuth2 access token
  service_account, // tokens made from a service-account key file
};

struct AuthChoice {
  AuthKind kind = AuthKind::anonymous;
  std::string token;              // for AuthKind::token
  std::filesystem::path key_file; // for AuthKind::service_account
  std::string origin;             // where the choice came from, for messages
};

// First of: option token, option credentialpath, GOOGLE_OAUTH_ACCESS_TOKEN,
// GOOGLE_APPLICATION_CREDENTIALS; anonymous when none is set. A leading "~/" in a key path is
// the home folder.
AuthChoice choose_auth(const Options& options, const Environment& environment);

} // namespace mlv::remote::gcs
