#include "../temp_dir.hpp"

#include <mlv/remote/s3_credentials.hpp>
#include <mlv/remote/s3_settings.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>

using namespace mlv::remote;
using namespace mlv::remote::s3;
using mlv::Error;
using mlv::Failure;

namespace {

// A fake environment: only the variables a test names exist.
Environment environment_of(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) {
      return std::nullopt;
    }
    return found->second;
  };
}

std::optional<Failure> code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind();
  }
  return std::nullopt;
}

class S3Settings : public mlv::test::TempDirTest {
protected:
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  Environment home_environment(std::map<std::string, std::string> more = {}) {
    more["HOME"] = root_.string();
    return environment_of(std::move(more));
  }
};

TEST_F(S3Settings, AwsEndpointsUseVirtualHostsAndTheRegion) {
  const auto settings =
      parse_settings("s3://models/team/a/", {{"region", "eu-west-1"}}, environment_of({}));
  EXPECT_EQ(settings.bucket, "models");
  EXPECT_EQ(settings.prefix, "team/a/");
  EXPECT_EQ(settings.url, "s3://models/team/a");
  EXPECT_FALSE(settings.path_style);
  EXPECT_EQ(object_url(settings, "team/a/packs/ab/x y"),
            "https://models.s3.eu-west-1.amazonaws.com/team/a/packs/ab/x%20y");
  EXPECT_EQ(bucket_url(settings), "https://models.s3.eu-west-1.amazonaws.com/");
  EXPECT_EQ(settings.multipart_threshold, 64u << 20);
  EXPECT_EQ(settings.multipart_chunksize, 16u << 20);
}

TEST_F(S3Settings, ACustomEndpointUsesPathsUnlessToldOtherwise) {
  const auto settings =
      parse_settings("s3://bkt", {{"endpointurl", "http://127.0.0.1:9000/"}}, environment_of({}));
  EXPECT_TRUE(settings.path_style);
  EXPECT_EQ(settings.prefix, "");
  EXPECT_EQ(settings.region, "us-east-1");
  EXPECT_EQ(object_url(settings, "mlv-remote.yaml"), "http://127.0.0.1:9000/bkt/mlv-remote.yaml");
  EXPECT_EQ(bucket_url(settings), "http://127.0.0.1:9000/bkt");
  const auto virtual_hosts =
      parse_settings("s3://bkt", {{"addressing", "virtual"}},
                     environment_of({{"AWS_ENDPOINT_URL", "https://s3.example.test"}}));
  EXPECT_FALSE(virtual_hosts.path_style);
  EXPECT_EQ(object_url(virtual_hosts, "k"), "https://bkt.s3.example.test/k");
}

TEST_F(S3Settings, RegionComesFromOptionsThenEnvironmentThenProfile) {
  write("home/.aws/config", "[default]\nregion = ap-south-1\n[profile work]\nregion=eu-north-1\n");
  const auto home = (root_ / "home").string();
  EXPECT_EQ(parse_settings("s3://b", {{"region", "us-west-2"}},
                           environment_of({{"HOME", home}, {"AWS_REGION", "eu-west-3"}}))
                .region,
            "us-west-2");
  EXPECT_EQ(parse_settings("s3://b", {},
                           environment_of({{"HOME", home}, {"AWS_DEFAULT_REGION", "eu-west-3"}}))
                .region,
            "eu-west-3");
  EXPECT_EQ(parse_settings("s3://b", {}, environment_of({{"HOME", home}})).region, "ap-south-1");
  EXPECT_EQ(
      parse_settings("s3://b", {{"profile", "work"}}, environment_of({{"HOME", home}})).region,
      "eu-north-1");
  EXPECT_EQ(parse_settings("s3://b", {}, environment_of({{"HOME", home}, {"AWS_PROFILE", "work"}}))
                .region,
            "eu-north-1");
  EXPECT_EQ(parse_settings("s3://b", {}, environment_of({})).region, "us-east-1");
}

TEST_F(S3Settings, SizesAcceptUnits) {
  EXPECT_EQ(parse_size("x", "1024"), 1024u);
  EXPECT_EQ(parse_size("x", "8MiB"), 8u << 20);
  EXPECT_EQ(parse_size("x", "8 MB"), 8u << 20);
  EXPECT_EQ(parse_size("x", "1g"), 1u << 30);
  const auto settings = parse_settings(
      "s3://b", {{"multipart_threshold", "6MiB"}, {"multipart_chunksize", "5242880"}},
      environment_of({}));
  EXPECT_EQ(settings.multipart_threshold, 6u << 20);
  EXPECT_EQ(settings.multipart_chunksize, 5u << 20);
}

TEST_F(S3Settings, BadUrlsAndOptionValuesAreBadInputNamingThem) {
  const auto env = environment_of({});
  for (const auto* url :
       {"s3://", "s3:///prefix", "s3://b/a//c", "s3://b/../x", "s3://b?x=1", "s3://bad bucket"}) {
    EXPECT_EQ(code_of([&] { parse_settings(url, {}, env); }), Failure::invalid_input) << url;
  }
  const std::map<std::string, std::string> bad_options[] = {
      {{"addressing", "dns"}},
      {{"endpointurl", "ftp://host"}},
      {{"endpointurl", "127.0.0.1:9000"}},
      {{"multipart_threshold", "lots"}},
      {{"multipart_chunksize", "1MiB"}},
      {{"region", "Not A Region"}},
  };
  for (const auto& options : bad_options) {
    try {
      parse_settings("s3://b", options, env);
      ADD_FAILURE() << options.begin()->first << " accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Failure::invalid_input);
      EXPECT_NE(std::string(error.what()).find(options.begin()->first), std::string::npos)
          << error.what();
    }
  }
}

TEST_F(S3Settings, CredentialsFollowTheStandardChain) {
  write("home/.aws/credentials", "# team keys\n[default]\naws_access_key_id = PROFILEKEY\n"
                                 "aws_secret_access_key = profile-secret\n"
                                 "[ci]\naws_access_key_id=CIKEY\naws_secret_access_key=ci-secret\n"
                                 "aws_session_token=ci-token\n");
  write("home/.aws/config",
        "[profile cfg]\nregion = eu-west-1\naws_access_key_id = CFGKEY\n"
        "aws_secret_access_key = cfg-secret\ns3 =\n  max_concurrent_requests = 4\n");
  const auto home = (root_ / "home").string();
  const Options from_options{{"access_key_id", "OPTKEY"}, {"secret_access_key", "opt-secret"}};
  const std::map<std::string, std::string> env_keys{
      {"HOME", home}, {"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}};
  EXPECT_EQ(resolve_credentials(from_options, environment_of(env_keys), "s3://b").access_key_id,
            "OPTKEY");
  EXPECT_EQ(resolve_credentials({}, environment_of(env_keys), "s3://b").secret_access_key,
            "env-secret");
  EXPECT_EQ(resolve_credentials({}, environment_of({{"HOME", home}}), "s3://b").access_key_id,
            "PROFILEKEY");
  const auto ci =
      resolve_credentials({{"profile", "ci"}}, environment_of({{"HOME", home}}), "s3://b");
  EXPECT_EQ(ci.access_key_id, "CIKEY");
  EXPECT_EQ(ci.session_token, "ci-token");
  EXPECT_EQ(
      resolve_credentials({}, environment_of({{"HOME", home}, {"AWS_PROFILE", "cfg"}}), "s3://b")
          .secret_access_key,
      "cfg-secret");
  // Files named by the environment replace ~/.aws.
  write("elsewhere/creds", "[default]\naws_access_key_id=FILEKEY\naws_secret_access_key=s\n");
  EXPECT_EQ(resolve_credentials({},
                                environment_of({{"HOME", home},
                                                {"AWS_SHARED_CREDENTIALS_FILE",
                                                 (root_ / "elsewhere/creds").string()}}),
                                "s3://b")
                .access_key_id,
            "FILEKEY");
}

TEST_F(S3Settings, MissingCredentialsSayWhereMlvLooked) {
  try {
    resolve_credentials({}, environment_of({{"HOME", root_.string()}}), "s3://b/p");
    FAIL() << "no credentials anywhere";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    const std::string message = error.what();
    EXPECT_NE(message.find("s3://b/p"), std::string::npos);
    EXPECT_NE(message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
    EXPECT_NE(message.find(".aws/credentials"), std::string::npos);
    EXPECT_NE(message.find("profile 'default'"), std::string::npos);
  }
  EXPECT_EQ(code_of([&] {
              resolve_credentials({{"access_key_id", "ONLYKEY"}},
                                  environment_of({{"HOME", root_.string()}}), "s3://b");
            }),
            Failure::invalid_input);
}

} // namespace
