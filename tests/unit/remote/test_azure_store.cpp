// The azure:// ObjectStore against a real Azurite on 127.0.0.1 (tests/servers, installed by
// `./setup.sh test`): every method of the interface, block uploads, paged listings under a
// prefix, and a missing container.
#include "../loopback.hpp"

#include <mlv/remote/azure_account.hpp>
#include <mlv/remote/azure_shared_key.hpp>
#include <mlv/remote/azure_store.hpp>
#include <mlv/remote/http_engine.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;
using namespace mlv::remote;

namespace {

using mlv::test::accepts_connections;
using mlv::test::free_port;

const fs::path k_azurite =
    fs::path(__FILE__).parent_path() / "../../servers/node_modules/.bin/azurite-blob";

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string read_all(ObjectStore& store, const std::string& key) {
  std::string out;
  const bool found = store.get(key, [&](std::span<const std::byte> block) {
    out.append(reinterpret_cast<const char*>(block.data()), block.size());
  });
  return found ? out : "<missing>";
}

class AzureStoreTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(fs::exists(k_azurite))
        << k_azurite << " is missing: run ./setup.sh test (npm ci in tests/servers)";
    root_ = fs::temp_directory_path() / ("mlv-azurite-" + std::to_string(::getpid()));
    fs::create_directories(root_);
    port_ = free_port();
    const std::string program = k_azurite.string();
    const std::string port = std::to_string(port_);
    const std::string location = root_.string();
    std::vector<const char*> argv = {program.c_str(),
                                     "--blobHost",
                                     "127.0.0.1",
                                     "--blobPort",
                                     port.c_str(),
                                     "--location",
                                     location.c_str(),
                                     "--silent",
                                     "--disableTelemetry",
                                     "--skipApiVersionCheck",
                                     nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    ASSERT_EQ(posix_spawn(&pid_, program.c_str(), &actions, nullptr,
                          const_cast<char* const*>(argv.data()), environ),
              0);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 300 && !accepts_connections(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(accepts_connections(port_)) << "Azurite did not start on port " << port_;
    endpoint_ = "http://127.0.0.1:" + port + "/" + azure::k_dev_account;
    create_container("store-test");
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code error;
    fs::remove_all(root_, error);
  }

  // mlv never creates containers; the test does, as a user would with the az CLI.
  static void create_container(const std::string& name) {
    HttpEngine engine(HttpOptions{});
    HttpRequest request;
    request.method = "PUT";
    request.url = endpoint_ + "/" + name + "?restype=container";
    request.sign = [](HttpRequest& attempt) {
      azure::sign_shared_key(attempt, azure::k_dev_account, azure::k_dev_key,
                             std::chrono::system_clock::now());
    };
    ASSERT_EQ(engine.perform(request).status, 201);
  }

  static std::unique_ptr<ObjectStore> open(const std::string& url, Options options = {}) {
    options["endpointurl"] = endpoint_;
    options["account_key"] = azure::k_dev_key;
    return open_store(url, options);
  }

  static inline fs::path root_;
  static inline int port_ = 0;
  static inline pid_t pid_ = -1;
  static inline std::string endpoint_;
};

TEST_F(AzureStoreTest, PutGetRangeExistsAndRemove) {
  auto store = open("azure://store-test/basic");
  const std::string text = "0123456789abcdefghij";
  store->put("manifests/ab/abc", bytes_of(text));
  EXPECT_TRUE(store->exists("manifests/ab/abc"));
  EXPECT_EQ(read_all(*store, "manifests/ab/abc"), text);
  std::string part;
  EXPECT_TRUE(store->get_range("manifests/ab/abc", Range{5, 7}, [&](auto block) {
    part.append(reinterpret_cast<const char*>(block.data()), block.size());
  }));
  EXPECT_EQ(part, "56789ab");

  EXPECT_FALSE(store->exists("manifests/ab/missing"));
  EXPECT_EQ(read_all(*store, "manifests/ab/missing"), "<missing>");
  EXPECT_FALSE(store->get_range("manifests/ab/missing", Range{0, 3}, [](auto) {}));

  store->put("empty", {});
  EXPECT_TRUE(store->exists("empty"));
  EXPECT_EQ(read_all(*store, "empty"), "");

  store->remove("manifests/ab/abc");
  EXPECT_FALSE(store->exists("manifests/ab/abc"));
  EXPECT_NO_THROW(store->remove("manifests/ab/abc"));
  EXPECT_EQ(store->display_url(), "azure://store-test/basic");
}

TEST_F(AzureStoreTest, LargeObjectsGoUpInBlocksAndComeBackWhole) {
  auto store =
      open("azure://store-test/blocks", {{"max_single_put", "1000"}, {"block_size", "300"}});
  std::string data(2500, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>((i * 7919) % 251);
  }
  store->put("packs/aa/from-memory", bytes_of(data));
  EXPECT_EQ(read_all(*store, "packs/aa/from-memory"), data);

  const auto file = root_ / "upload.bin";
  std::ofstream(file, std::ios::binary) << data;
  store->put_file("packs/aa/from-file", file);
  EXPECT_EQ(read_all(*store, "packs/aa/from-file"), data);
  std::string tail;
  store->get_range("packs/aa/from-file", Range{2400, 100}, [&](auto block) {
    tail.append(reinterpret_cast<const char*>(block.data()), block.size());
  });
  EXPECT_EQ(tail, data.substr(2400));
}

TEST_F(AzureStoreTest, ListsEveryPageUnderThePrefixOnly) {
  auto store = open("azure://store-test/listing", {{"list_page_size", "2"}});
  auto neighbour = open("azure://store-test/listing-other");
  for (int i = 0; i < 5; ++i) {
    store->put("packs/0" + std::to_string(i) + "/p", bytes_of(std::string(i + 1, 'x')));
  }
  store->put("mlv-remote.yaml", bytes_of("layout: 1\n"));
  neighbour->put("packs/00/p", bytes_of("neighbour"));

  auto packs = store->list("packs/");
  std::sort(packs.begin(), packs.end(), [](auto& a, auto& b) { return a.key < b.key; });
  ASSERT_EQ(packs.size(), 5U);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(packs[i].key, "packs/0" + std::to_string(i) + "/p");
    EXPECT_EQ(packs[i].size, static_cast<std::uint64_t>(i + 1));
    EXPECT_NEAR(static_cast<double>(packs[i].mtime), static_cast<double>(now), 600.0);
  }
  EXPECT_EQ(store->list("").size(), 6U);
  EXPECT_TRUE(store->list("dirs/").empty());
}

TEST_F(AzureStoreTest, AMissingContainerIsAnErrorNamingIt) {
  auto store = open("azure://no-such-container/x");
  try {
    store->exists("mlv-remote.yaml");
    FAIL() << "no error for a missing container";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::remote);
    EXPECT_NE(std::string(error.what()).find("no-such-container"), std::string::npos);
  }
  EXPECT_THROW(store->list(""), mlv::Error);
  EXPECT_THROW(store->put("k", bytes_of("v")), mlv::Error);
}

} // namespace
