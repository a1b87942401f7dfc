#include "../temp_dir.hpp"

#include <mlv/config/config.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace {

namespace fs = std::filesystem;
using mlv::config::Config;
using mlv::config::Scope;

class ConfigTest : public mlv::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(root_ / "repo" / ".mlv");
    fs::create_directories(root_ / "xdg");
    ::setenv("XDG_CONFIG_HOME", (root_ / "xdg").c_str(), 1);
    ::unsetenv("MLV_CORE_JOBS");
    ::unsetenv("MLV_CORE_REMOTE");
  }
  void TearDown() override {
    ::unsetenv("XDG_CONFIG_HOME");
    ::unsetenv("MLV_CORE_JOBS");
    TempDirTest::TearDown();
  }
  fs::path repo() const { return root_ / "repo"; }
};

TEST_F(ConfigTest, LayersResolveLocalOverRepoOverUserAndEnvironmentOverAll) {
  auto config = Config::load(repo());
  config.set(Scope::user, "core.jobs", "2");
  EXPECT_EQ(Config::load(repo()).get("core.jobs"), "2");
  config.set(Scope::repo, "core.jobs", "3");
  EXPECT_EQ(Config::load(repo()).get("core.jobs"), "3");
  config.set(Scope::local, "core.jobs", "4");
  EXPECT_EQ(Config::load(repo()).get("core.jobs"), "4");
  ::setenv("MLV_CORE_JOBS", "5", 1);
  EXPECT_EQ(Config::load(repo()).get("core.jobs"), "5");
  EXPECT_TRUE(fs::exists(root_ / "xdg" / "mlv" / "config"));
}

TEST_F(ConfigTest, NestedKeysAreWrittenAsYamlMaps) {
  auto config = Config::load(repo());
  config.set(Scope::repo, "remote.origin.url", "/mnt/models");
  config.set(Scope::repo, "remote.origin.region", "eu-west-1");
  config.set(Scope::repo, "cache.type", "hardlink,copy");
  const auto text = mlv::util::read_file(repo() / ".mlv" / "config");
  EXPECT_NE(text.find("remote:\n  origin:\n    url: /mnt/models"), std::string::npos) << text;
  const auto again = Config::load(repo());
  const auto origin = again.remote("origin");
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->url, "/mnt/models");
  EXPECT_EQ(origin->options.at("region"), "eu-west-1");
  EXPECT_EQ(again.get("cache.type"), "hardlink,copy");
}

TEST_F(ConfigTest, SecretsAreRefusedInTheCommittedConfig) {
  auto config = Config::load(repo());
  config.set(Scope::repo, "remote.s3.url", "s3://bucket");
  try {
    config.set(Scope::repo, "remote.s3.secret_access_key", "hunter2");
    FAIL() << "a secret went into the committed config";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.code(), mlv::ExitCode::bad_input);
    EXPECT_NE(error.hint().find("--local"), std::string::npos);
  }
  config.set(Scope::local, "remote.s3.secret_access_key", "hunter2");
  EXPECT_EQ(Config::load(repo()).remote("s3")->options.at("secret_access_key"), "hunter2");
  // A secret smuggled into the committed file by hand is refused when read.
  mlv::util::write_file_atomic(repo() / ".mlv" / "config",
                               "remote:\n  s3:\n    url: s3://b\n    password: x\n");
  EXPECT_THROW((void)Config::load(repo()), mlv::Error);
}

TEST_F(ConfigTest, RejectsUnknownSectionsAndMalformedFiles) {
  auto config = Config::load(repo());
  EXPECT_THROW(config.set(Scope::repo, "nosuch.key", "1"), mlv::Error);
  EXPECT_THROW(config.set(Scope::repo, "remote.url", "1"), mlv::Error);
  mlv::util::write_file_atomic(repo() / ".mlv" / "config", "core: [unclosed\n");
  try {
    (void)Config::load(repo());
    FAIL() << "malformed YAML accepted";
  } catch (const mlv::Error& error) {
    EXPECT_NE(std::string(error.what()).find(".mlv/config"), std::string::npos);
  }
}

TEST_F(ConfigTest, ChoosesTheNamedTheDefaultOrTheOnlyRemote) {
  auto config = Config::load(repo());
  EXPECT_THROW((void)config.choose_remote(std::nullopt), mlv::Error) << "none configured";
  config.set(Scope::repo, "remote.a.url", "/a");
  EXPECT_EQ(Config::load(repo()).choose_remote(std::nullopt).name, "a") << "the only one";
  config.set(Scope::repo, "remote.b.url", "/b");
  EXPECT_THROW((void)Config::load(repo()).choose_remote(std::nullopt), mlv::Error) << "ambiguous";
  config.set(Scope::repo, "core.remote", "b");
  EXPECT_EQ(Config::load(repo()).choose_remote(std::nullopt).url, "/b");
  EXPECT_EQ(Config::load(repo()).choose_remote(std::string("a")).url, "/a");
  EXPECT_THROW((void)Config::load(repo()).choose_remote(std::string("zzz")), mlv::Error);
  EXPECT_TRUE(config.remove_remote("a"));
  EXPECT_FALSE(Config::load(repo()).remote("a").has_value());
}

TEST_F(ConfigTest, CacheDirResolvesAgainstTheRepository) {
  auto config = Config::load(repo());
  EXPECT_EQ(config.cache_dir(), repo() / ".mlv" / "cache");
  config.set(Scope::local, "cache.dir", "../shared-cache");
  EXPECT_EQ(Config::load(repo()).cache_dir(), root_ / "shared-cache");
}

} // namespace
