#include "../../../src/mlv/remote/gcs_settings.hpp"

#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

using mlv::Error;
using mlv::Failure;
using namespace mlv::remote::gcs;

namespace {

Environment environment_of(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto it = variables.find(name);
    return it == variables.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(GcsSettings, ParsesBucketAndPrefix) {
  auto location = parse_gs_url("gs://my-bucket");
  EXPECT_EQ(location.bucket, "my-bucket");
  EXPECT_EQ(location.prefix, "");
  location = parse_gs_url("gs://my.bucket_1/teams/vision/");
  EXPECT_EQ(location.bucket, "my.bucket_1");
  EXPECT_EQ(location.prefix, "teams/vision/");
  EXPECT_EQ(parse_gs_url("gs://abc/").prefix, "");
}

TEST(GcsSettings, RefusesMalformedUrlsNamingThem) {
  for (const char* url :
       {"gs://", "gs:///prefix", "gs://ab", "gs://Upper", "gs://-abc", "gs://abc-", "gs://a b c",
        "gs://abc/x//y", "gs://abc/x?y=1", "s3://abc"}) {
    try {
      parse_gs_url(url);
      FAIL() << url;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Failure::invalid_input) << url;
      EXPECT_NE(std::string(error.what()).find(url), std::string::npos) << error.what();
    }
  }
}

TEST(GcsSettings, EndpointComesFromTheOptionThenTheEmulatorVariable) {
  const auto emulator = environment_of({{"STORAGE_EMULATOR_HOST", "127.0.0.1:4443"}});
  EXPECT_EQ(storage_endpoint({}, environment_of({})), "https://storage.googleapis.com");
  EXPECT_EQ(storage_endpoint({}, emulator), "http://127.0.0.1:4443");
  EXPECT_EQ(storage_endpoint({}, environment_of({{"STORAGE_EMULATOR_HOST", "https://e:1/"}})),
            "https://e:1");
  EXPECT_EQ(storage_endpoint({{"endpointurl", "http://127.0.0.1:9000/"}}, emulator),
            "http://127.0.0.1:9000");
}

TEST(GcsSettings, ABadEndpointNamesTheOption) {
  for (const char* value : {"127.0.0.1:9000", "ftp://x", "http://user:pw@x", "http://x/?a=b"}) {
    try {
      storage_endpoint({{"endpointurl", value}}, environment_of({}));
      FAIL() << value;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Failure::invalid_input);
      EXPECT_NE(std::string(error.what()).find("endpointurl"), std::string::npos);
      EXPECT_EQ(std::string(error.what()).find("pw"), std::string::npos);
    }
  }
}

TEST(GcsSettings, AuthPrefersOptionsThenTheEnvironment) {
  const auto everything = environment_of({{"GOOGLE_OAUTH_ACCESS_TOKEN", "env-token"},
                                          {"GOOGLE_APPLICATION_CREDENTIALS", "/env/sa.json"},
                                          {"HOME", "/home/me"}});
  auto choice =
      choose_auth({{"token", "opt-token"}, {"credentialpath", "/opt/sa.json"}}, everything);
  EXPECT_EQ(choice.kind, AuthKind::token);
  EXPECT_EQ(choice.token, "opt-token");
  choice = choose_auth({{"credentialpath", "~/keys/sa.json"}}, everything);
  EXPECT_EQ(choice.kind, AuthKind::service_account);
  EXPECT_EQ(choice.key_file, "/home/me/keys/sa.json");
  EXPECT_EQ(choice.origin, "option credentialpath");
  choice = choose_auth({}, everything);
  EXPECT_EQ(choice.kind, AuthKind::token);
  EXPECT_EQ(choice.token, "env-token");
  choice = choose_auth({}, environment_of({{"GOOGLE_APPLICATION_CREDENTIALS", "/env/sa.json"}}));
  EXPECT_EQ(choice.kind, AuthKind::service_account);
  EXPECT_EQ(choice.origin, "GOOGLE_APPLICATION_CREDENTIALS");
  EXPECT_EQ(choose_auth({{"token", ""}}, environment_of({})).kind, AuthKind::anonymous);
}

} // namespace
