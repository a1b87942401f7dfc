#include "../../../src/mlv/remote/gcs_credentials.hpp"
#include "../temp_dir.hpp"

#include <mlv/util/error.hpp>
#include <mlv/util/json_reader.hpp>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fstream>
#include <memory>
#include <string>

using mlv::Error;
using mlv::Failure;
using namespace mlv::remote::gcs;
using mlv::util::parse_json;

namespace {

// A fresh RSA key as PEM text, private and public.
struct TestKey {
  std::string private_pem;
  std::string public_pem;
};

TestKey make_test_key() {
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  auto to_text = [](auto write) {
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    write(bio.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  };
  return {to_text([&](BIO* bio) {
            PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          }),
          to_text([&](BIO* bio) { PEM_write_bio_PUBKEY(bio, key.get()); })};
}

std::string base64url_decode(const std::string& text) {
  std::string standard = text;
  for (auto& c : standard) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (standard.size() % 4 != 0) {
    standard += '=';
  }
  std::string out(standard.size(), '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(standard.data()),
                                     static_cast<int>(standard.size()));
  out.resize(static_cast<std::size_t>(length) - (standard.size() - text.size()));
  return out;
}

bool verify_rs256(const std::string& public_pem, const std::string& input, const std::string& sig) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                        EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                          sig.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

std::string key_json(const std::string& private_pem, const std::string& extra = "") {
  std::string escaped;
  for (const char c : private_pem) {
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return R"({"type": "service_account", "project_id": "p", "private_key_id": "k1",
             "client_email": "mlv-ci@p.iam.gserviceaccount.com", "private_key": ")" +
         escaped + "\"" + extra + "}";
}

TEST(GcsCredentials, Base64UrlHasNoPaddingAndUsesTheUrlAlphabet) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("\xfb\xff\xbf"), "-_-_");
}

TEST(GcsCredentials, TheAssertionIsAnRs256JwtTheKeysPublicHalfVerifies) {
  const auto test_key = make_test_key();
  auto key = parse_service_account_key(
      key_json(test_key.private_pem, R"(, "token_uri": "http://127.0.0.1:1/token")"), "key.json");
  EXPECT_EQ(key.token_uri, "http://127.0.0.1:1/token");
  const auto jwt = make_jwt_assertion(key, 1'700'000'000);

  const auto first_dot = jwt.find('.');
  const auto second_dot = jwt.find('.', first_dot + 1);
  ASSERT_NE(second_dot, std::string::npos);
  EXPECT_EQ(
      jwt.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos);
  const auto header = parse_json(base64url_decode(jwt.substr(0, first_dot)));
  EXPECT_EQ(header.string_at("alg"), "RS256");
  EXPECT_EQ(header.string_at("typ"), "JWT");
  const auto claims =
      parse_json(base64url_decode(jwt.substr(first_dot + 1, second_dot - first_dot - 1)));
  EXPECT_EQ(claims.string_at("iss"), "mlv-ci@p.iam.gserviceaccount.com");
  EXPECT_EQ(claims.string_at("aud"), "http://127.0.0.1:1/token");
  EXPECT_EQ(claims.string_at("scope"), "https://www.googleapis.com/auth/devstorage.read_write");
  EXPECT_EQ(claims.unsigned_at("iat"), 1'700'000'000u);
  EXPECT_EQ(claims.unsigned_at("exp"), 1'700'003'600u);

  const auto signature = base64url_decode(jwt.substr(second_dot + 1));
  EXPECT_TRUE(verify_rs256(test_key.public_pem, jwt.substr(0, second_dot), signature));
  EXPECT_FALSE(verify_rs256(make_test_key().public_pem, jwt.substr(0, second_dot), signature));
  EXPECT_FALSE(verify_rs256(test_key.public_pem, jwt.substr(0, second_dot) + "x", signature));
}

TEST(GcsCredentials, AKeyWithoutTokenUriUsesGooglesEndpoint) {
  const auto key = parse_service_account_key(key_json(make_test_key().private_pem), "key.json");
  EXPECT_EQ(key.token_uri, k_default_token_uri);
}

void expect_bad_key(const std::string& json, const std::string& needle) {
  try {
    const auto key = parse_service_account_key(json, "/keys/sa.json");
    (void)make_jwt_assertion(key, 0);
    FAIL() << "accepted: " << needle;
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    const std::string message = error.what();
    EXPECT_NE(message.find("/keys/sa.json"), std::string::npos) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
  }
}

TEST(GcsCredentials, BadKeyFilesNameTheFileAndTheFieldButNeverTheKey) {
  expect_bad_key(R"({"type": "service_account", "private_key": "SECRET)", "invalid JSON");
  expect_bad_key(R"(["SECRET"])", "not a JSON object");
  expect_bad_key(R"({"type": "authorized_user", "refresh_token": "SECRET"})", "authorized_user");
  expect_bad_key(R"({"type": "service_account", "private_key": "SECRET"})", "client_email");
  expect_bad_key(R"({"type": "service_account", "client_email": "a@b"})", "private_key");
  expect_bad_key(
      R"({"type": "service_account", "client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n"})",
      "not an RSA private key");
  expect_bad_key(key_json(make_test_key().private_pem, R"(, "token_uri": "ftp://x")"), "token_uri");
}

TEST(GcsCredentials, TheTokenRequestIsAFormWithTheJwtBearerGrant) {
  EXPECT_EQ(token_request_body("aa.bb.cc"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=aa.bb.cc");
}

TEST(GcsCredentials, ReadsTheTokenResponse) {
  const auto grant = parse_token_response(
      R"({"access_token":"ya29.abc","expires_in":3599,"token_type":"Bearer"})");
  EXPECT_EQ(grant.access_token, "ya29.abc");
  EXPECT_EQ(grant.expires_in, std::chrono::seconds(3599));
  EXPECT_THROW(parse_token_response(R"({"expires_in":3599})"), std::runtime_error);
  EXPECT_THROW(parse_token_response(R"({"access_token":"x","expires_in":0})"), std::runtime_error);
  EXPECT_THROW(parse_token_response("<html>"), std::runtime_error);
}

TEST(GcsCredentials, ShortLivedTokensAreRefreshedAtHalfTheirLifetime) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(refresh_margin(seconds(3600)), milliseconds(60'000));
  EXPECT_EQ(refresh_margin(seconds(2)), milliseconds(1'000));
}

class GcsKeyFile : public mlv::test::TempDirTest {};

TEST_F(GcsKeyFile, AMissingFileNamesWhereItsPathCameFrom) {
  try {
    read_service_account_key(root_ / "absent.json", "GOOGLE_APPLICATION_CREDENTIALS");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("GOOGLE_APPLICATION_CREDENTIALS"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("absent.json"), std::string::npos);
  }
  std::ofstream(root_ / "sa.json") << key_json(make_test_key().private_pem);
  EXPECT_EQ(read_service_account_key(root_ / "sa.json", "option credentialpath").client_email,
            "mlv-ci@p.iam.gserviceaccount.com");
}

} // namespace
