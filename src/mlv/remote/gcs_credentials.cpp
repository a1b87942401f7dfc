#include "gcs_credentials.hpp"

#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/json.hpp>
#include <mlv/util/json_reader.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace mlv::remote::gcs {

using util::JsonError;
using util::JsonValue;
using util::parse_json;

namespace {

constexpr std::chrono::seconds k_longest_refresh_margin{60};

Error bad_key(const std::string& source, const std::string& what) {
  return Error(Failure::invalid_input, "service account key " + source + ": " + what,
               "use the JSON key file of a service account, as downloaded from the Google Cloud "
               "console (IAM > Service accounts > Keys)");
}

std::string sign_rs256(const std::string& pem, std::string_view input, const std::string& source) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    throw bad_key(source, "private_key is not an RSA private key in PEM form");
  }
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                        EVP_MD_CTX_free);
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) != 1) {
    throw bad_key(source, "cannot sign with its private_key");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     data, input.size()) != 1) {
    throw bad_key(source, "cannot sign with its private_key");
  }
  signature.resize(length);
  return signature;
}

} // namespace

ServiceAccountKey parse_service_account_key(std::string_view json, const std::string& source) {
  JsonValue document;
  try {
    document = parse_json(json);
  } catch (const JsonError& error) {
    throw bad_key(source, error.what());
  }
  if (!document.is_object()) {
    throw bad_key(source, "not a JSON object");
  }
  const auto type = document.string_at("type");
  if (type != "service_account") {
    throw bad_key(source, "type is '" + type.value_or("") +
                              "', but mlv can use only a key of type 'service_account'");
  }
  ServiceAccountKey key;
  key.source = source;
  for (const auto& [field, value] :
       {std::pair{"client_email", &key.client_email}, std::pair{"private_key", &key.private_key}}) {
    auto text = document.string_at(field);
    if (!text || text->empty()) {
      throw bad_key(source, std::string("the field '") + field + "' is missing");
    }
    *value = std::move(*text);
  }
  key.token_uri = document.string_at("token_uri").value_or(std::string(k_default_token_uri));
  if (!key.token_uri.starts_with("https://") && !key.token_uri.starts_with("http://")) {
    throw bad_key(source, "token_uri is not an http(s) URL");
  }
  return key;
}

ServiceAccountKey read_service_account_key(const std::filesystem::path& path,
                                           const std::string& origin) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw Error(Failure::invalid_input,
                origin + " names '" + path.string() + "', which is not a readable file",
                "point it at the service account's JSON key file");
  }
  return parse_service_account_key(util::read_file(path), path.string());
}

std::string make_jwt_assertion(const ServiceAccountKey& key, std::int64_t now) {
  util::JsonWriter claims;
  claims.begin_object()
      .key("iss")
      .value(key.client_email)
      .key("scope")
      .value(k_scope)
      .key("aud")
      .value(key.token_uri)
      .key("iat")
      .value(now)
      .key("exp")
      .value(now + k_assertion_lifetime.count())
      .end_object();
  const std::string signing_input =
      base64url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url(claims.str());
  return signing_input + "." + base64url(sign_rs256(key.private_key, signing_input, key.source));
}

std::string token_request_body(std::string_view assertion) {
  // base64url and '.' need no escaping in a form value; the grant type's ':' do.
  return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" +
         std::string(assertion);
}

TokenGrant parse_token_response(std::string_view body) {
  JsonValue document;
  try {
    document = parse_json(body);
  } catch (const JsonError& error) {
    throw std::runtime_error(std::string("the token response is not JSON: ") + error.what());
  }
  TokenGrant grant;
  grant.access_token = document.string_at("access_token").value_or("");
  const auto expires_in = document.unsigned_at("expires_in");
  if (grant.access_token.empty() || !expires_in || *expires_in == 0) {
    throw std::runtime_error("the token response lacks access_token or expires_in");
  }
  grant.expires_in = std::chrono::seconds(static_cast<std::int64_t>(*expires_in));
  return grant;
}

std::chrono::milliseconds refresh_margin(std::chrono::seconds lifetime) {
  return std::min<std::chrono::milliseconds>(k_longest_refresh_margin, lifetime / 2);
}

} // namespace mlv::remote::gcs
