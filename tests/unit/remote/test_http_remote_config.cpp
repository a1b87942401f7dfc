#include <mlv/remote/http_remote_config.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

using mlv::Error;
using mlv::Failure;
using mlv::remote::http_remote_config;
using mlv::remote::Options;

namespace {

std::string header(const mlv::remote::HttpRemoteConfig& config, const std::string& name) {
  for (const auto& [key, value] : config.headers) {
    if (key == name) {
      return value;
    }
  }
  return "<none>";
}

std::optional<Failure>
code_of(const std::string& url, const Options& options, std::string* message = nullptr) {
  try {
    http_remote_config(url, options);
  } catch (const Error& error) {
    if (message != nullptr) {
      *message = error.what();
    }
    return error.kind();
  }
  return std::nullopt;
}

TEST(HttpRemoteConfig, BaseUrlEndsWithSlashAndKeepsPortAndEscapes) {
  const auto config = http_remote_config("HTTP://127.0.0.1:8080/ml%20models", {});
  EXPECT_EQ(config.base_url, "http://127.0.0.1:8080/ml%20models/");
  EXPECT_EQ(config.base_path, "/ml models/");
  EXPECT_TRUE(config.headers.empty());
  EXPECT_EQ(http_remote_config("https://dav.example.com", {}).base_url, "https://dav.example.com/");
}

TEST(HttpRemoteConfig, UserInfoBecomesBasicAuthAndIsRedacted) {
  // "alice:p@ss word" in base64.
  const auto config = http_remote_config("https://alice:p%40ss%20word@dav.example.com/m/", {});
  EXPECT_EQ(config.base_url, "https://dav.example.com/m/");
  EXPECT_EQ(header(config, "Authorization"), "Basic YWxpY2U6cEBzcyB3b3Jk");
  EXPECT_EQ(config.display_url.find("p%40ss"), std::string::npos);
  EXPECT_NE(config.display_url.find("alice"), std::string::npos);
}

TEST(HttpRemoteConfig, OptionsGiveBasicAuthBearerTokensAndCustomHeaders) {
  const auto basic = http_remote_config("http://h/m", {{"user", "bob"}, {"password", "secret"}});
  EXPECT_EQ(header(basic, "Authorization"), "Basic Ym9iOnNlY3JldA==");
  EXPECT_EQ(basic.auth, "user 'bob' and a password");
  EXPECT_EQ(http_remote_config("http://h/m", {{"user", "bob"}}).auth, "user 'bob' and no password");
  EXPECT_EQ(http_remote_config("http://h/m", {}).auth, "no credentials");
  // The option's password wins over the URL's.
  const auto both = http_remote_config("http://bob:old@h/m", {{"password", "secret"}});
  EXPECT_EQ(header(both, "Authorization"), "Basic Ym9iOnNlY3JldA==");

  const auto bearer = http_remote_config(
      "http://h/m", {{"token", "t0k"}, {"header_X-Api-Key", "k3y"}, {"verify_tls", "false"}});
  EXPECT_EQ(header(bearer, "Authorization"), "Bearer t0k");
  EXPECT_EQ(header(bearer, "X-Api-Key"), "k3y");
  EXPECT_EQ(bearer.headers.size(), 2u);
}

TEST(HttpRemoteConfig, BadUrlsAndOptionsAreBadInputNamingThemWithoutSecrets) {
  std::string message;
  EXPECT_EQ(code_of("ftp://h/m", {}), Failure::invalid_input);
  EXPECT_EQ(code_of("http:///m", {}), Failure::invalid_input);
  EXPECT_EQ(code_of("http://u:hunter2@:80/m", {}, &message), Failure::invalid_input);
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
  EXPECT_EQ(code_of("http://h/m?sig=abc", {}, &message), Failure::invalid_input);
  EXPECT_EQ(message.find("abc"), std::string::npos);
  EXPECT_EQ(code_of("http://h/m", {{"password", "hunter2"}}, &message), Failure::invalid_input);
  EXPECT_NE(message.find("password"), std::string::npos);
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
  EXPECT_EQ(code_of("http://h/m", {{"token", "t"}, {"user", "u"}}), Failure::invalid_input);
  EXPECT_EQ(code_of("http://h/m", {{"header_Bad Name", "v"}}, &message), Failure::invalid_input);
  EXPECT_NE(message.find("header_Bad Name"), std::string::npos);
  EXPECT_EQ(code_of("http://h/m", {{"header_X-A", "v\r\nInjected: 1"}}, &message),
            Failure::invalid_input);
  EXPECT_EQ(message.find("Injected"), std::string::npos);
}

} // namespace
