// The S3 store against a real S3-compatible server (s3rver from tests/servers, started here on
// 127.0.0.1): every ObjectStore operation, listings longer than one page, multipart uploads, and
// the errors a user sees. Needs `npm ci` in tests/servers, like the integration tests.
#include "../loopback.hpp"

#include <mlv/remote/object_store.hpp>
#include <mlv/remote/s3_store.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;
using mlv::Error;
using mlv::Failure;
using namespace mlv::remote;

namespace {

using mlv::test::accepts_connections;
using mlv::test::free_port;

const fs::path k_s3rver =
    fs::path(__FILE__).parent_path() / ".." / ".." / "servers" / "node_modules" / ".bin" / "s3rver";
constexpr const char* k_bucket = "unit";

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string random_text(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string text(size, '\0');
  for (auto& c : text) {
    c = static_cast<char>(random());
  }
  return text;
}

class S3StoreTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(fs::exists(k_s3rver)) << k_s3rver << " is missing: run npm ci in tests/servers";
    data_ = fs::temp_directory_path() / ("mlv-unit-s3rver-" + std::to_string(::getpid()));
    fs::create_directories(data_);
    port_ = free_port();
    const auto port = std::to_string(port_);
    const auto program = k_s3rver.string();
    const auto directory = data_.string();
    std::vector<const char*> arguments = {
        program.c_str(), "--directory", directory.c_str(),    "--address", "127.0.0.1", "--port",
        port.c_str(),    "--silent",    "--configure-bucket", k_bucket,    nullptr};
    // s3rver's continuation tokens use DES, which Node's OpenSSL 3 keeps in its legacy provider.
    std::vector<std::string> environment = {"NODE_OPTIONS=--openssl-legacy-provider"};
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (!std::string_view(*entry).starts_with("NODE_OPTIONS=")) {
        environment.emplace_back(*entry);
      }
    }
    std::vector<char*> environment_pointers;
    for (auto& entry : environment) {
      environment_pointers.push_back(entry.data());
    }
    environment_pointers.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&server_, program.c_str(), nullptr, nullptr,
                            const_cast<char* const*>(arguments.data()),
                            environment_pointers.data()),
              0);
    for (int i = 0; i < 300 && !accepts_connections(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(accepts_connections(port_)) << "s3rver did not start";
  }

  static void TearDownTestSuite() {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      ::waitpid(server_, nullptr, 0);
    }
    std::error_code error;
    fs::remove_all(data_, error);
  }

  static Options options(std::map<std::string, std::string> more = {}) {
    Options result = {{"endpointurl", "http://127.0.0.1:" + std::to_string(port_)},
                      {"access_key_id", "S3RVER"},
                      {"secret_access_key", "S3RVER"},
                      {"region", "us-east-1"},
                      {"retries", "1"}};
    for (auto& [key, value] : more) {
      result[key] = value;
    }
    return result;
  }

  // A store under its own prefix, named after the running test.
  static std::unique_ptr<ObjectStore> store(std::map<std::string, std::string> more = {}) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return open_store(std::string("s3://") + k_bucket + "/" + test->name(), options(more));
  }

  static std::string read_all(ObjectStore& store, const std::string& key) {
    std::string text;
    EXPECT_TRUE(store.get(key, [&](std::span<const std::byte> block) {
      text.append(reinterpret_cast<const char*>(block.data()), block.size());
    }));
    return text;
  }

  static inline pid_t server_ = 0;
  static inline int port_ = 0;
  static inline fs::path data_;
};

TEST_F(S3StoreTest, PutGetExistsAndRemove) {
  auto s3 = store();
  EXPECT_EQ(s3->display_url(), "s3://unit/PutGetExistsAndRemove");
  EXPECT_FALSE(s3->exists("manifests/ab/ab01"));
  const auto text = random_text(100'000, 1);
  s3->put("manifests/ab/ab01", bytes_of(text));
  EXPECT_TRUE(s3->exists("manifests/ab/ab01"));
  EXPECT_EQ(read_all(*s3, "manifests/ab/ab01"), text);
  EXPECT_FALSE(s3->get("manifests/ab/missing", [](std::span<const std::byte>) {
    ADD_FAILURE() << "no bytes for a missing object";
  }));
  s3->remove("manifests/ab/ab01");
  EXPECT_FALSE(s3->exists("manifests/ab/ab01"));
  s3->remove("manifests/ab/ab01"); // removing a missing object is not an error
}

TEST_F(S3StoreTest, RangesReadOnlyTheirBytes) {
  auto s3 = store();
  const auto text = random_text(300'000, 2);
  s3->put("packs/cd/cd01", bytes_of(text));
  std::string got;
  const auto append = [&](std::span<const std::byte> block) {
    got.append(reinterpret_cast<const char*>(block.data()), block.size());
  };
  EXPECT_TRUE(s3->get_range("packs/cd/cd01", {123'456, 70'000}, append));
  EXPECT_EQ(got, text.substr(123'456, 70'000));
  got.clear();
  EXPECT_TRUE(s3->get_range("packs/cd/cd01", {text.size() - 64, 64}, append));
  EXPECT_EQ(got, text.substr(text.size() - 64));
  EXPECT_FALSE(s3->get_range("packs/cd/none", {0, 10}, append));
}

TEST_F(S3StoreTest, FilesAboveTheThresholdGoUpInPartsAndComeBackWhole) {
  auto s3 = store({{"multipart_threshold", "5MiB"}, {"multipart_chunksize", "5MiB"}});
  const auto path = data_ / "upload.bin";
  const auto text = random_text((11u << 20) + 12345, 3); // 3 parts: 5 MiB, 5 MiB, the rest
  std::ofstream(path, std::ios::binary) << text;
  s3->put_file("packs/ef/big", path);
  const auto small_path = data_ / "small.bin";
  std::ofstream(small_path, std::ios::binary) << "small";
  s3->put_file("packs/ef/small", small_path);
  EXPECT_EQ(read_all(*s3, "packs/ef/big"), text);
  EXPECT_EQ(read_all(*s3, "packs/ef/small"), "small");
  const auto objects = s3->list("packs/ef/");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].key, "packs/ef/big");
  EXPECT_EQ(objects[0].size, text.size());
}

TEST_F(S3StoreTest, ListingsFollowContinuationTokensAndStripThePrefix) {
  auto s3 = store();
  // More than the 1,000 keys of one ListObjectsV2 page, written by several threads.
  constexpr int k_objects = 1'010;
  std::atomic<int> next{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      for (int i = next++; i < k_objects; i = next++) {
        s3->put("packs/" + std::to_string(i % 7) + "/obj" + std::to_string(i), bytes_of("x"));
      }
    });
  }
  for (auto& writer : writers) {
    writer.join();
  }
  s3->put("manifests/other", bytes_of("y"));
  const auto before = std::chrono::system_clock::now();
  const auto objects = s3->list("packs/");
  ASSERT_EQ(objects.size(), static_cast<std::size_t>(k_objects));
  std::set<std::string> keys;
  for (const auto& object : objects) {
    keys.insert(object.key);
    EXPECT_EQ(object.size, 1u);
    EXPECT_NEAR(static_cast<double>(object.mtime),
                static_cast<double>(std::chrono::system_clock::to_time_t(before)), 120.0);
  }
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(k_objects)) << "no key twice";
  EXPECT_TRUE(keys.contains("packs/3/obj1004"));
  // A prefix that is not a folder: of obj100 and obj1000..obj1009, only obj1004 is in 3/.
  const auto some = s3->list("packs/3/obj100");
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].key, "packs/3/obj1004");
  EXPECT_TRUE(s3->list("nothing/").empty());
}

TEST_F(S3StoreTest, KeysWithOddCharactersRoundTrip) {
  auto s3 = store();
  const std::string key = "dirs/odd name+&=%;é<>.txt";
  s3->put(key, bytes_of("odd"));
  EXPECT_TRUE(s3->exists(key));
  EXPECT_EQ(read_all(*s3, key), "odd");
  const auto objects = s3->list("dirs/");
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].key, key);
}

TEST_F(S3StoreTest, AMissingBucketIsOneRemoteErrorNamingIt) {
  auto s3 = open_store("s3://no-such-bucket/p", options());
  for (const auto& action : std::vector<std::function<void()>>{
           [&] { s3->exists("manifests/ab/x"); },
           [&] { s3->put("manifests/ab/x", bytes_of("z")); },
           [&] { s3->list("packs/"); },
       }) {
    try {
      action();
      ADD_FAILURE() << "a missing bucket went unnoticed";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Failure::remote);
      EXPECT_NE(std::string(error.what()).find("s3://no-such-bucket/p"), std::string::npos);
      EXPECT_NE(std::string(error.what()).find("NoSuchBucket"), std::string::npos) << error.what();
    }
  }
}

TEST_F(S3StoreTest, AnUnknownKeyIsARemoteErrorWithoutTheSecret) {
  auto s3 =
      open_store("s3://unit/denied",
                 options({{"access_key_id", "NOTAKEY"}, {"secret_access_key", "do-not-print-me"}}));
  try {
    s3->exists("manifests/ab/x");
    FAIL() << "an unknown key was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    const std::string text = std::string(error.what()) + error.hint();
    EXPECT_NE(text.find("InvalidAccessKeyId"), std::string::npos) << text;
    EXPECT_EQ(text.find("do-not-print-me"), std::string::npos);
  }
}

} // namespace
