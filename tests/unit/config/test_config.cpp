#include "../temp_dir.hpp"

#include <mlv/config/config.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

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
    ::unsetenv("MLV_REMOTE_ORIGIN_URL");
  }
  // The error a call throws; fails the test when it does not throw.
  template <typename Call>
  static mlv::Error error_of(Call&& call) {
    try {
      call();
    } catch (const mlv::Error& error) {
      return error;
    }
    ADD_FAILURE() << "no error thrown";
    return mlv::Error(mlv::Failure::failed, "no error thrown");
  }
  void TearDown() override {
    ::unsetenv("XDG_CONFIG_HOME");
    ::unsetenv("MLV_CORE_JOBS");
    ::unsetenv("MLV_CORE_REMOTE");
    ::unsetenv("MLV_REMOTE_ORIGIN_URL");
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
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(error.hint().find("--local"), std::string::npos);
  }
  config.set(Scope::local, "remote.s3.secret_access_key", "hunter2");
  EXPECT_EQ(Config::load(repo()).remote("s3")->options.at("secret_access_key"), "hunter2");
  // A secret smuggled into the committed file by hand is refused when read.
  mlv::util::write_file_atomic(repo() / ".mlv" / "config",
                               "remote:\n  s3:\n    url: s3://b\n    password: x\n");
  EXPECT_THROW((void)Config::load(repo()), mlv::Error);
}

TEST_F(ConfigTest, TheSafetyPolicyIsNeverTakenFromTheCommittedConfig) {
  // Anyone who can push could otherwise let unsafe models through for everyone who pulls.
  auto config = Config::load(repo());
  const auto error = error_of([&] { config.set(Scope::repo, "safety.policy", "warn"); });
  EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
  EXPECT_NE(error.hint().find("--local"), std::string::npos);
  config.set(Scope::local, "safety.policy", "warn");
  EXPECT_EQ(Config::load(repo()).get("safety.policy"), "warn");
  mlv::util::write_file_atomic(repo() / ".mlv" / "config", "safety:\n  policy: warn\n");
  const auto by_hand = error_of([&] { (void)Config::load(repo()); });
  EXPECT_NE(std::string(by_hand.what()).find("safety.policy"), std::string::npos);
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

TEST_F(ConfigTest, RemoteSecretsComeFromTheEnvironmentAsCiPassesThem) {
  auto config = Config::load(repo());
  config.set(Scope::repo, "remote.origin.url", "s3://bucket/models");
  config.set(Scope::repo, "remote.origin.region", "eu-west-1");
  config.set(Scope::local, "remote.origin.secret_access_key", "from-file");
  ::setenv("MLV_REMOTE_ORIGIN_SECRET_ACCESS_KEY", "from-env", 1);
  const auto remote = Config::load(repo()).remote("origin");
  ::unsetenv("MLV_REMOTE_ORIGIN_SECRET_ACCESS_KEY");
  ASSERT_TRUE(remote.has_value());
  EXPECT_EQ(remote->options.at("secret_access_key"), "from-env");
  EXPECT_EQ(remote->options.at("region"), "eu-west-1");
  EXPECT_EQ(remote->url, "s3://bucket/models");
}

TEST_F(ConfigTest, APasswordInACommittedUrlIsRefused) {
  auto config = Config::load(repo());
  EXPECT_THROW(config.set(Scope::repo, "remote.web.url", "https://bob:hunter2@host/models"),
               mlv::Error);
  config.set(Scope::repo, "remote.web.url", "https://bob@host/models");
  config.set(Scope::local, "remote.other.url", "https://bob:hunter2@host/models");
  EXPECT_EQ(Config::load(repo()).remote("other")->url, "https://bob:hunter2@host/models");
}

TEST_F(ConfigTest, TheEnvironmentOverridesSettingsAndRemoteUrls) {
  auto config = Config::load(repo());
  config.set(Scope::repo, "remote.origin.url", "/from/file");
  config.set(Scope::local, "core.remote", "origin");
  ::setenv("MLV_REMOTE_ORIGIN_URL", "/from/env", 1);
  ::setenv("MLV_CORE_REMOTE", "elsewhere", 1);
  const auto loaded = Config::load(repo());
  EXPECT_EQ(loaded.get("core.remote"), "elsewhere");
  EXPECT_EQ(loaded.remote("origin")->url, "/from/env");
  EXPECT_EQ(loaded.get("remote.origin.url"), "/from/env");
}

TEST_F(ConfigTest, UserLayerFallsBackToHomeWithoutXdg) {
  ::unsetenv("XDG_CONFIG_HOME");
  const auto old_home = std::string(std::getenv("HOME") != nullptr ? std::getenv("HOME") : "");
  ::setenv("HOME", (root_ / "home").c_str(), 1);
  auto config = Config::load(repo());
  EXPECT_EQ(config.file_of(Scope::user), root_ / "home" / ".config" / "mlv" / "config");
  config.set(Scope::user, "cache.type", "copy");
  EXPECT_EQ(Config::load(repo()).get("cache.type"), "copy");
  EXPECT_TRUE(fs::exists(root_ / "home" / ".config" / "mlv" / "config"));
  ::setenv("HOME", old_home.c_str(), 1);
}

TEST_F(ConfigTest, OutsideARepositoryOnlyUserAndEnvironmentApply) {
  auto config = Config::load({});
  config.set(Scope::user, "core.jobs", "6");
  EXPECT_EQ(Config::load({}).get("core.jobs"), "6");
  EXPECT_EQ(error_of([&] { config.set(Scope::repo, "core.jobs", "1"); }).kind(),
            mlv::Failure::invalid_input);
}

TEST_F(ConfigTest, WritesAreAtomicAndKeepOtherKeys) {
  auto config = Config::load(repo());
  config.set(Scope::repo, "core.remote", "origin");
  config.set(Scope::repo, "remote.origin.url", "/store");
  config.set(Scope::repo, "core.jobs", "8");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(repo() / ".mlv")) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"config"}) << "no temporary file left behind";
  const auto text = mlv::util::read_file(repo() / ".mlv" / "config");
  EXPECT_EQ(text.rfind("#", 0), 0u) << "a comment line says what the file is";
  const auto loaded = Config::load(repo());
  EXPECT_EQ(loaded.get("core.remote"), "origin");
  EXPECT_EQ(loaded.get("core.jobs"), "8");
  EXPECT_TRUE(Config::load(repo()).unset(Scope::repo, "core.jobs"));
  EXPECT_FALSE(Config::load(repo()).get("core.jobs").has_value());
  EXPECT_EQ(Config::load(repo()).get("core.remote"), "origin") << "unset leaves the rest";
  EXPECT_FALSE(Config::load(repo()).unset(Scope::repo, "core.jobs")) << "nothing left to unset";
}

TEST_F(ConfigTest, ValuesThatLookLikeYamlSurviveARoundTrip) {
  auto config = Config::load(repo());
  for (const std::string value : {"~", "null", "", "a: b", "#x", "reflink,copy", " padded "}) {
    config.set(Scope::local, "remote.origin.region", value);
    EXPECT_EQ(Config::load(repo()).get("remote.origin.region"), value);
  }
}

TEST_F(ConfigTest, RecognisesSecretKeys) {
  using mlv::config::is_secret_key;
  for (const auto* key :
       {"remote.s3.password", "remote.s3.secret_access_key", "remote.s3.access_key_id",
        "remote.s3.session_token", "remote.h.token", "remote.az.sas_token", "remote.az.account_key",
        "remote.az.connection_string", "remote.gs.credentials", "remote.gs.credentialpath",
        "remote.h.headers", "remote.h.header_authorization", "remote.h.Password",
        "transfer.token"}) {
    EXPECT_TRUE(is_secret_key(key)) << key;
  }
  for (const auto* key : {"remote.s3.url", "remote.s3.region", "remote.tokens.url",
                          "remote.s3.endpointurl", "core.remote", "cache.dir"}) {
    EXPECT_FALSE(is_secret_key(key)) << key;
  }
}

TEST_F(ConfigTest, SecretsAreRefusedInTheCommittedConfigInAnySection) {
  const auto error =
      error_of([&] { Config::load(repo()).set(Scope::repo, "transfer.token", "t"); });
  EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
  EXPECT_NE(error.hint().find("mlv config --local"), std::string::npos) << error.hint();
  EXPECT_FALSE(fs::exists(repo() / ".mlv" / "config")) << "nothing written";
  mlv::util::write_file_atomic(repo() / ".mlv" / "config", "transfer:\n  headers: {a: b}\n");
  const auto on_load = error_of([&] { (void)Config::load(repo()); });
  EXPECT_NE(std::string(on_load.what()).find("transfer.headers"), std::string::npos)
      << on_load.what();
  // The same key in the local layer is fine.
  fs::rename(repo() / ".mlv" / "config", repo() / ".mlv" / "config.local");
  EXPECT_NO_THROW((void)Config::load(repo()));
}

TEST_F(ConfigTest, UnknownSectionsAreRejectedNamingTheKeyAndTheValidOnes) {
  const auto error = error_of([&] { Config::load(repo()).set(Scope::local, "cahce.dir", "x"); });
  EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
  EXPECT_NE(std::string(error.what()).find("cahce.dir"), std::string::npos) << error.what();
  EXPECT_NE(error.hint().find("core, cache, remote, safety, transfer"), std::string::npos);
  mlv::util::write_file_atomic(repo() / ".mlv" / "config", "cahce:\n  dir: x\n");
  const auto on_load = error_of([&] { (void)Config::load(repo()); });
  EXPECT_NE(std::string(on_load.what()).find("cahce"), std::string::npos) << on_load.what();
  EXPECT_NE(std::string(on_load.what()).find(".mlv/config"), std::string::npos);
  EXPECT_NE(std::string(on_load.what()).find("core, cache, remote"), std::string::npos);
}

TEST_F(ConfigTest, RemoteNamesMayNotContainDotsOrSlashes) {
  auto config = Config::load(repo());
  EXPECT_THROW(config.set(Scope::repo, "remote.a/b.url", "/x"), mlv::Error);
  EXPECT_THROW(config.set(Scope::repo, "remote.a.b.url", "/x"), mlv::Error);
  EXPECT_THROW(config.set(Scope::repo, "core.", "/x"), mlv::Error);
  EXPECT_FALSE(fs::exists(repo() / ".mlv" / "config"));
  mlv::util::write_file_atomic(repo() / ".mlv" / "config", "remote:\n  a/b:\n    url: /x\n");
  const auto error = error_of([&] { (void)Config::load(repo()); });
  EXPECT_NE(std::string(error.what()).find("a/b"), std::string::npos) << error.what();
}

TEST_F(ConfigTest, ChoosingARemoteExplainsWhatToDoWhenItCannot) {
  auto config = Config::load(repo());
  const auto none = error_of([&] { (void)config.choose_remote(std::nullopt); });
  EXPECT_EQ(none.kind(), mlv::Failure::invalid_input);
  EXPECT_NE(none.hint().find("mlv remote add"), std::string::npos) << none.hint();
  config.set(Scope::repo, "remote.a.url", "/a");
  config.set(Scope::repo, "core.remote", "gone");
  const auto dangling = error_of([&] { (void)Config::load(repo()).choose_remote(std::nullopt); });
  EXPECT_NE(std::string(dangling.what()).find("gone"), std::string::npos) << dangling.what();
  const auto unknown = error_of([&] { (void)Config::load(repo()).choose_remote("zzz"); });
  EXPECT_NE(std::string(unknown.what()).find("zzz"), std::string::npos);
  EXPECT_NE(unknown.hint().find("mlv remote"), std::string::npos);
  config.set(Scope::repo, "remote.b.url", "/b");
  config.unset(Scope::repo, "core.remote");
  const auto ambiguous = error_of([&] { (void)Config::load(repo()).choose_remote(std::nullopt); });
  EXPECT_NE(ambiguous.hint().find(mlv::option_ref("-r") + " NAME"), std::string::npos)
      << ambiguous.hint();
}

TEST_F(ConfigTest, RemotesListMergesEveryLayer) {
  auto config = Config::load(repo());
  config.set(Scope::user, "remote.mine.url", "/home/store");
  config.set(Scope::repo, "remote.team.url", "/team");
  config.set(Scope::local, "remote.team.access_key_id", "AKIA");
  config.set(Scope::local, "remote.team.url", "/team-mirror");
  const auto remotes = Config::load(repo()).remotes();
  ASSERT_EQ(remotes.size(), 2u);
  EXPECT_EQ(remotes[0].name, "mine");
  EXPECT_EQ(remotes[1].name, "team");
  EXPECT_EQ(remotes[1].url, "/team-mirror") << "local overrides the committed url";
  EXPECT_EQ(remotes[1].options.at("access_key_id"), "AKIA");
}

TEST_F(ConfigTest, AbsoluteCacheDirIsKept) {
  auto config = Config::load(repo());
  config.set(Scope::user, "cache.dir", (root_ / "elsewhere").string());
  EXPECT_EQ(Config::load(repo()).cache_dir(), root_ / "elsewhere");
}

TEST_F(ConfigTest, InvalidValuesAndUnknownKeysAreRefusedAndNothingIsWritten) {
  auto config = Config::load(repo());
  const std::vector<std::pair<std::string, std::string>> refused = {{"core.jobs", "abc"},
                                                                    {"core.jobs", "0"},
                                                                    {"core.jobs", "257"},
                                                                    {"core.jobs", "-1"},
                                                                    {"cache.type", "bogus"},
                                                                    {"cache.type", ""},
                                                                    {"cache.type", "copy,,reflink"},
                                                                    {"core.nosuch", "1"},
                                                                    {"transfer.pack_size", "-5"},
                                                                    {"transfer.pack_size", "0"},
                                                                    {"transfer.pack_size", "1e6"},
                                                                    {"core.remote", "a.b"},
                                                                    {"cache.dir", ""}};
  for (const auto& entry : refused) {
    // Named copies, not a structured binding: clang 14 cannot capture one in a lambda.
    const std::string key = entry.first;
    const std::string value = entry.second;
    const auto error = error_of([&] { config.set(Scope::local, key, value); });
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input) << key << " " << value;
    EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
    if (key != "core.nosuch") {
      EXPECT_NE(std::string(error.what()).find("'" + value + "'"), std::string::npos)
          << error.what();
    }
  }
  const auto policy = error_of([&] { config.set(Scope::local, "safety.policy", "allow"); });
  EXPECT_NE(std::string(policy.what()).find("block or warn"), std::string::npos) << policy.what();
  EXPECT_FALSE(fs::exists(repo() / ".mlv" / "config.local")) << "nothing written";
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"core.jobs", "256"},
           {"cache.type", "reflink,hardlink,symlink,copy"},
           {"transfer.pack_size", "100000"},
           {"safety.policy", "block"},
           {"remote.origin.anything", "at all"}}) {
    EXPECT_NO_THROW(config.set(Scope::local, key, value)) << key;
  }
}

TEST_F(ConfigTest, AnInvalidValueIsRefusedWhereItIsReadNamingItsSource) {
  mlv::util::write_file_atomic(repo() / ".mlv" / "config.local", "core:\n  jobs: lots\n");
  const auto config = Config::load(repo());
  const auto from_file = error_of([&] { (void)config.get("core.jobs"); });
  EXPECT_EQ(from_file.kind(), mlv::Failure::invalid_input);
  EXPECT_NE(std::string(from_file.what()).find("config.local"), std::string::npos)
      << from_file.what();
  EXPECT_NE(from_file.hint().find("--local --unset core.jobs"), std::string::npos)
      << from_file.hint();
  ::setenv("MLV_CORE_JOBS", "0", 1);
  const auto from_environment = error_of([&] { (void)config.get("core.jobs"); });
  EXPECT_NE(std::string(from_environment.what()).find("MLV_CORE_JOBS"), std::string::npos)
      << from_environment.what();
  ::setenv("MLV_CORE_JOBS", "12", 1);
  EXPECT_EQ(config.get("core.jobs"), "12");
}

} // namespace
