#include "gcs_token.hpp"

#include "gcs_credentials.hpp"

#include <mlv/util/error.hpp>
#include <mlv/util/json_reader.hpp>

#include <chrono>
#include <mutex>
#include <optional>

namespace mlv::remote::gcs {

using util::JsonError;
using util::JsonValue;
using util::parse_json;

namespace {

using Clock = std::chrono::steady_clock;

class FixedToken final : public TokenSource {
public:
  explicit FixedToken(std::string token) : token_(std::move(token)) {}
  std::string token() override { return token_; }
  bool refused(const std::string& /*token*/) override { return false; }

private:
  std::string token_;
};

// The OAuth2 error of a refused token request ("invalid_grant: Invalid JWT Signature."); it
// describes the request, never echoes the assertion.
std::string describe_token_error(const HttpResponse& response) {
  try {
    const auto body = parse_json(response.body);
    const auto error = body.string_at("error");
    if (error) {
      const auto description = body.string_at("error_description");
      return "HTTP " + std::to_string(response.status) + ": " + *error +
             (description ? ": " + *description : "");
    }
  } catch (const JsonError&) {
  }
  return describe_status(response);
}

class ServiceAccountTokens final : public TokenSource {
public:
  ServiceAccountTokens(AuthChoice auth, HttpEngine& engine, std::string display_url)
      : auth_(std::move(auth)), engine_(engine), display_url_(std::move(display_url)) {}

  std::string token() override {
    const std::lock_guard lock(mutex_);
    if (token_.empty() || Clock::now() >= refresh_at_) {
      fetch();
    }
    return token_;
  }

  bool refused(const std::string& token) override {
    const std::lock_guard lock(mutex_);
    if (token == token_) {
      token_.clear();
    }
    return true;
  }

private:
  // Exchanges a freshly signed assertion for a token; called with mutex_ held, so concurrent
  // requests wait for one exchange instead of each making their own.
  void fetch() {
    if (!key_) {
      key_ = read_service_account_key(auth_.key_file, auth_.origin);
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto body = token_request_body(make_jwt_assertion(*key_, now));
    HttpRequest request;
    request.method = "POST";
    request.url = key_->token_uri;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = Body::of(body);
    const auto requested = Clock::now();
    const auto response = engine_.perform(std::move(request));
    if (response.status != 200) {
      throw Error(Failure::remote,
                  display_url_ + ": the token endpoint " + key_->token_uri +
                      " refused the service account " + key_->client_email + " (key file " +
                      key_->source + "): " + describe_token_error(response),
                  "check that the key file (" + auth_.origin +
                      ") is the service account's current key and has not been deleted or "
                      "disabled; create a new key in the Google Cloud console if in doubt");
    }
    try {
      const auto grant = parse_token_response(response.body);
      token_ = grant.access_token;
      refresh_at_ = requested + grant.expires_in - refresh_margin(grant.expires_in);
    } catch (const std::runtime_error& error) {
      throw Error(Failure::remote,
                  display_url_ + ": the token endpoint " + key_->token_uri + ": " + error.what(),
                  "check that token_uri in the key file names Google's OAuth2 token endpoint");
    }
  }

  AuthChoice auth_;
  HttpEngine& engine_;
  std::string display_url_;
  std::mutex mutex_;
  std::optional<ServiceAccountKey> key_;
  std::string token_;
  Clock::time_point refresh_at_{};
};

} // namespace

std::unique_ptr<TokenSource>
make_token_source(const AuthChoice& auth, HttpEngine& engine, const std::string& display_url) {
  switch (auth.kind) {
  case AuthKind::anonymous:
    return nullptr;
  case AuthKind::token:
    return std::make_unique<FixedToken>(auth.token);
  case AuthKind::service_account:
    return std::make_unique<ServiceAccountTokens>(auth, engine, display_url);
  }
  return nullptr;
}

} // namespace mlv::remote::gcs
