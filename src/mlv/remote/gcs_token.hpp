#pragma once

#include "gcs_settings.hpp"

#include <mlv/remote/http_engine.hpp>

#include <memory>
#include <string>

// Where the GCS backend's bearer tokens come from. Private to the backend.
namespace mlv::remote::gcs {

class TokenSource {
public:
  virtual ~TokenSource() = default;
  // A token to send now. A service account's token is fetched on first use and again shortly
  // before it expires; called from HttpRequest::sign, so every retry gets a current one.
  // Throws Error(remote) when the token endpoint refuses, Error(bad_input) for a bad key file.
  virtual std::string token() = 0;
  // The storage server answered 401 to `token`: forgets it if it is the cached one. True when
  // a new token may help (so the request is worth one more try).
  virtual bool refused(const std::string& token) = 0;
};

// nullptr for anonymous access. The key file is read on first use, so opening a store (e.g. for
// `mlv remote add`) needs no credentials.
std::unique_ptr<TokenSource>
make_token_source(const AuthChoice& auth, HttpEngine& engine, const std::string& display_url);

} // namespace mlv::remote::gcs
