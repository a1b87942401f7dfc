// The gs:// store against the GCS test server (tests/servers/gcs_server.js) started on
// 127.0.0.1 for each test: every ObjectStore method, listings over several pages, token refresh,
// refused keys and tokens, a missing bucket.
#include "../loopback.hpp"
#include "../temp_dir.hpp"

#include <mlv/remote/gcs_store.hpp>
#include <mlv/remote/http_engine.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <chrono>
#include <fstream>
#include <memory>
#include <netinet/in.h>
#include <regex>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using mlv::Error;
using mlv::Failure;
using namespace mlv::remote;

namespace {

using mlv::test::accepts_connections;
using mlv::test::free_port;

const fs::path k_server_script =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "servers" / "gcs_server.js";
constexpr const char* k_client_email = "unit@mlv-test.iam.gserviceaccount.com";

std::string pem_of(EVP_PKEY* key, bool public_half) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (public_half) {
    PEM_write_bio_PUBKEY(bio.get(), key);
  } else {
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

class GcsStoreTest : public mlv::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    port_ = free_port();
    key_file_ = write_key_file("sa.json", key_.get());
    std::ofstream(root_ / "sa-pub.pem") << pem_of(key_.get(), true);
  }

  void TearDown() override {
    stop_server();
    TempDirTest::TearDown();
  }

  // A service-account key file for `key`, whose token_uri is the test server.
  fs::path write_key_file(const std::string& name, EVP_PKEY* key) {
    std::string pem;
    for (const char c : pem_of(key, false)) {
      pem += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    const auto path = root_ / name;
    std::ofstream(path) << R"({"type": "service_account", "client_email": ")" << k_client_email
                        << R"(", "private_key": ")" << pem << R"(", "token_uri": ")" << endpoint()
                        << "/token\"}";
    return path;
  }

  void start_server(std::vector<std::string> flags = {}) {
    std::vector<std::string> arguments = {
        "node",         k_server_script.string(),        "--port",         std::to_string(port_),
        "--root",       (root_ / "data").string(),       "--bucket",       "mlv-unit",
        "--public-key", (root_ / "sa-pub.pem").string(), "--client-email", k_client_email};
    arguments.insert(arguments.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (auto& argument : arguments) {
      argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    fs::create_directories(root_ / "data");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (root_ / "server.log").c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawnp(&server_, "node", &actions, nullptr, argv.data(), environ), 0)
        << "cannot start node";
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 300 && !accepts_connections(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(accepts_connections(port_)) << "the GCS test server did not start";
  }

  void stop_server() {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      ::waitpid(server_, nullptr, 0);
      server_ = -1;
    }
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<ObjectStore> open(const std::string& url, Options options = {}) {
    options["endpointurl"] = endpoint();
    options["retries"] = "1";
    if (!options.contains("token") && !options.contains("anonymous") &&
        !options.contains("credentialpath")) {
      options["credentialpath"] = key_file_.string();
    }
    options.erase("anonymous");
    return make_gcs_store(url, options);
  }

  // A counter of the server's /_test/stats.
  int stat(const std::string& name) {
    HttpEngine engine(HttpOptions{});
    HttpRequest request;
    request.url = endpoint() + "/_test/stats";
    const auto body = engine.perform(request).body;
    std::smatch match;
    EXPECT_TRUE(std::regex_search(body, match, std::regex("\"" + name + "\":([0-9]+)"))) << body;
    return match.empty() ? -1 : std::stoi(match[1]);
  }

  static std::string read(ObjectStore& store, const std::string& key) {
    std::string out;
    EXPECT_TRUE(store.get(key, [&](std::span<const std::byte> block) {
      out.append(reinterpret_cast<const char*>(block.data()), block.size());
    }));
    return out;
  }

  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{EVP_RSA_gen(2048), EVP_PKEY_free};
  int port_ = 0;
  pid_t server_ = -1;
  fs::path key_file_;
};

TEST_F(GcsStoreTest, StoresReadsRangesListsAndDeletesObjects) {
  start_server({"--page-size", "2"});
  auto store = open("gs://mlv-unit/some/prefix");
  EXPECT_EQ(store->display_url(), "gs://mlv-unit/some/prefix");
  EXPECT_FALSE(store->exists("mlv-remote.yaml"));
  EXPECT_FALSE(
      store->get("mlv-remote.yaml", [](auto) { FAIL() << "no bytes for a missing object"; }));

  store->put("mlv-remote.yaml", bytes_of("layout: 1\n"));
  std::string big(300000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<char>(i * 7919 % 251);
  }
  std::ofstream(root_ / "pack.bin", std::ios::binary) << big;
  store->put_file("packs/ab/ab01", root_ / "pack.bin");
  store->put("manifests/ab/name with space+é", bytes_of("m"));
  store->put("manifests/cd/empty", {});
  store->put("dirs/ef/ef01", bytes_of("d"));

  EXPECT_TRUE(store->exists("packs/ab/ab01"));
  EXPECT_EQ(read(*store, "mlv-remote.yaml"), "layout: 1\n");
  EXPECT_EQ(read(*store, "packs/ab/ab01"), big);
  EXPECT_EQ(read(*store, "manifests/ab/name with space+é"), "m");
  EXPECT_EQ(read(*store, "manifests/cd/empty"), "");
  std::string part;
  EXPECT_TRUE(store->get_range("packs/ab/ab01", {100000, 65536}, [&](auto block) {
    part.append(reinterpret_cast<const char*>(block.data()), block.size());
  }));
  EXPECT_EQ(part, big.substr(100000, 65536));
  EXPECT_FALSE(store->get_range("packs/ab/absent", {0, 10}, [](auto) {}));
  EXPECT_THROW(store->get_range("packs/ab/ab01", {400000, 10}, [](auto) {}), Error);

  // Five objects over pages of two; keys are relative to the prefix.
  auto all = store->list("");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].key, "dirs/ef/ef01");
  EXPECT_EQ(all[3].key, "mlv-remote.yaml");
  EXPECT_EQ(all[4].key, "packs/ab/ab01");
  EXPECT_EQ(all[4].size, big.size());
  EXPECT_GT(all[4].mtime, 1'600'000'000);
  const auto manifests = store->list("manifests/");
  ASSERT_EQ(manifests.size(), 2u);
  EXPECT_EQ(manifests[0].key, "manifests/ab/name with space+é");
  EXPECT_TRUE(store->list("nothing/").empty());
  // Another prefix in the same bucket is another remote.
  EXPECT_TRUE(open("gs://mlv-unit/other")->list("").empty());

  store->remove("packs/ab/ab01");
  EXPECT_FALSE(store->exists("packs/ab/ab01"));
  EXPECT_NO_THROW(store->remove("packs/ab/ab01"));
  EXPECT_EQ(stat("requests_refused"), 0);
  EXPECT_EQ(stat("tokens_issued"), 2); // one per store
}

TEST_F(GcsStoreTest, TokensAreRefreshedBeforeTheyExpire) {
  start_server({"--token-lifetime", "2"});
  auto store = open("gs://mlv-unit");
  store->put("a", bytes_of("1"));
  // Past half the lifetime: the next request must carry a new token, not an expiring one.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_TRUE(store->exists("a"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_EQ(read(*store, "a"), "1");
  EXPECT_EQ(stat("tokens_issued"), 3);
  EXPECT_EQ(stat("requests_refused"), 0);
}

TEST_F(GcsStoreTest, ATokenTheServerForgetsIsReplacedOnce) {
  start_server();
  auto store = open("gs://mlv-unit");
  store->put("a", bytes_of("1"));
  stop_server(); // a restarted server knows none of the tokens it issued
  start_server();
  EXPECT_TRUE(store->exists("a"));
  EXPECT_EQ(stat("requests_refused"), 1);
  EXPECT_EQ(stat("tokens_issued"), 1);
}

void expect_remote_error(const std::function<void()>& action,
                         const std::vector<std::string>& needles,
                         const std::vector<std::string>& secrets = {}) {
  try {
    action();
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote) << error.what();
    const std::string text = std::string(error.what()) + "\n" + error.hint();
    for (const auto& needle : needles) {
      EXPECT_NE(text.find(needle), std::string::npos) << needle << " not in: " << text;
    }
    for (const auto& secret : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in: " << text;
    }
  }
}

TEST_F(GcsStoreTest, AKeyTheServerDoesNotKnowIsRefusedWithOneClearError) {
  start_server();
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> other(EVP_RSA_gen(2048), EVP_PKEY_free);
  const auto other_file = write_key_file("other.json", other.get());
  auto store = open("gs://mlv-unit", {{"credentialpath", other_file.string()}});
  expect_remote_error(
      [&] { store->exists("a"); },
      {"gs://mlv-unit", "invalid_grant", "Invalid JWT Signature", k_client_email, "other.json"},
      {"PRIVATE KEY", "eyJ"});
  EXPECT_EQ(stat("tokens_refused"), 1); // no retry storm
}

TEST_F(GcsStoreTest, RefusedTokensAndAnonymousRequestsSayHowToAuthenticate) {
  start_server();
  expect_remote_error(
      [&] {
        open("gs://mlv-unit", {{"token", "ya29.secret-token"}})->exists("a");
      },
      {"gs://mlv-unit", "not authenticated", "Invalid Credentials", "option token"},
      {"ya29.secret-token"});
  expect_remote_error(
      [&] {
        open("gs://mlv-unit", {{"anonymous", ""}})->put("a", {});
      },
      {"not authenticated", "GOOGLE_APPLICATION_CREDENTIALS", "credentialpath"});
  EXPECT_EQ(stat("requests_refused"), 2);
}

TEST_F(GcsStoreTest, AMissingBucketIsNamed) {
  start_server();
  auto store = open("gs://no-such-bucket/x");
  for (const auto& action : std::vector<std::function<void()>>{
           [&] { store->exists("mlv-remote.yaml"); },
           [&] { store->put("mlv-remote.yaml", bytes_of("x")); }, [&] { store->list(""); }}) {
    expect_remote_error(action,
                        {"gs://no-such-bucket/x", "bucket 'no-such-bucket' does not exist"});
  }
}

TEST_F(GcsStoreTest, NothingIsSentWithoutCredentialsToAnUnauthenticatedServer) {
  start_server({"--no-auth"});
  auto store = open("gs://mlv-unit", {{"anonymous", ""}});
  store->put("k", bytes_of("v"));
  EXPECT_EQ(read(*store, "k"), "v");
}

TEST(GcsStoreOptions, BadUrlsAndOptionsAreBadInputNamingThem) {
  try {
    make_gcs_store("gs://x", {});
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("gs://x"), std::string::npos);
  }
  try {
    make_gcs_store("gs://bucket", {{"endpointurl", "localhost:1"}});
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("endpointurl"), std::string::npos);
  }
  // Opening needs no credentials: a key file is read on first use.
  EXPECT_NO_THROW(make_gcs_store("gs://bucket", {{"credentialpath", "/nonexistent/key.json"}}));
}

} // namespace
