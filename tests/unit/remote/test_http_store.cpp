// The http(s) store against a real nginx WebDAV server on 127.0.0.1 (what the CLI tests cannot
// reach: listings, deletes, ranges, the temporary names).
#include "../loopback.hpp"
#include "../temp_dir.hpp"

#include <mlv/remote/http_store.hpp>
#include <mlv/util/error.hpp>

#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <chrono>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using mlv::Error;
using mlv::Failure;
using mlv::remote::make_http_store;
using mlv::remote::ObjectInfo;
using mlv::remote::ObjectStore;

namespace {

using mlv::test::accepts_connections;
using mlv::test::free_port;

constexpr const char* k_nginx = "/usr/sbin/nginx";
constexpr const char* k_dav_module = "/usr/lib/nginx/modules/ngx_http_dav_ext_module.so";

std::string as_text(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// nginx serving root_/www with WebDAV under /dav/ and read-only under /plain/.
class HttpStoreTest : public mlv::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    port_ = free_port();
    const auto conf = root_ / "nginx.conf";
    fs::create_directories(root_ / "www" / "dav");
    fs::create_directories(root_ / "logs");
    std::ofstream(conf) << "load_module " << k_dav_module << ";\n"
                        << "daemon off; master_process off; worker_processes 1;\n"
                        << "pid " << (root_ / "nginx.pid").string() << ";\n"
                        << "error_log " << (root_ / "logs/error.log").string() << ";\n"
                        << "events { worker_connections 64; }\n"
                        << "http {\n  access_log off; client_max_body_size 0;\n"
                        << "  client_body_temp_path " << (root_ / "body").string() << ";\n"
                        << "  server {\n    listen 127.0.0.1:" << port_ << ";\n"
                        << "    root " << (root_ / "www").string() << ";\n"
                        << "    location /dav/ { dav_methods PUT DELETE MKCOL COPY MOVE;\n"
                        << "      dav_ext_methods PROPFIND OPTIONS; create_full_put_path off; }\n"
                        << "    location /plain/ { alias " << (root_ / "www/dav/").string()
                        << "; }\n    location /old/ { return 301 /dav/store/; }\n  }\n}\n";
    const std::string prefix = root_.string();
    const std::string conf_path = conf.string();
    const std::string error_log = (root_ / "logs/error.log").string();
    std::vector<const char*> argv = {k_nginx,        "-c", conf_path.c_str(), "-p",
                                     prefix.c_str(), "-e", error_log.c_str(), nullptr};
    ASSERT_EQ(
        ::posix_spawn(&nginx_, k_nginx, nullptr, nullptr, const_cast<char**>(argv.data()), environ),
        0);
    for (int i = 0; i < 300 && !accepts_connections(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(accepts_connections(port_)) << "nginx did not start";
    dav_ = make_http_store(url("dav/store"), {{"retries", "0"}});
  }

  void TearDown() override {
    dav_.reset();
    if (nginx_ > 0) {
      ::kill(nginx_, SIGTERM);
      ::waitpid(nginx_, nullptr, 0);
    }
    TempDirTest::TearDown();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + path;
  }

  static std::string read(ObjectStore& store, const std::string& key) {
    std::vector<std::byte> bytes;
    if (!store.get(key,
                   [&](auto block) { bytes.insert(bytes.end(), block.begin(), block.end()); })) {
      return "<absent>";
    }
    return as_text(bytes);
  }

  pid_t nginx_ = 0;
  int port_ = 0;
  std::unique_ptr<ObjectStore> dav_;
};

TEST_F(HttpStoreTest, WritesMakeFoldersAndReadBackWholeAndInRanges) {
  EXPECT_FALSE(dav_->exists("packs/ab/abcd"));
  EXPECT_EQ(read(*dav_, "packs/ab/abcd"), "<absent>");
  dav_->put("packs/ab/abcd", bytes_of("hello, webdav"));
  const auto source = root_ / "big.bin";
  std::string big(3'000'000, 'x');
  big[2'999'999] = 'y';
  std::ofstream(source, std::ios::binary) << big;
  dav_->put_file("manifests/cd/cdef", source);

  EXPECT_TRUE(dav_->exists("packs/ab/abcd"));
  EXPECT_EQ(read(*dav_, "packs/ab/abcd"), "hello, webdav");
  EXPECT_EQ(read(*dav_, "manifests/cd/cdef"), big);
  std::vector<std::byte> part;
  ASSERT_TRUE(dav_->get_range("packs/ab/abcd", {7, 6}, [&](auto block) {
    part.insert(part.end(), block.begin(), block.end());
  }));
  EXPECT_EQ(as_text(part), "webdav");
  EXPECT_FALSE(dav_->get_range("packs/ab/none", {0, 1}, [](auto) {}));
  // The objects are plain files on the server; no temporary object is left.
  EXPECT_TRUE(fs::is_regular_file(root_ / "www/dav/store/packs/ab/abcd"));
  EXPECT_EQ(fs::file_size(root_ / "www/dav/store/manifests/cd/cdef"), big.size());
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ / "www/dav/store/packs/ab"),
                          fs::directory_iterator()),
            1);
}

TEST_F(HttpStoreTest, ListsRecursivelyByPrefixWithSizesAndSkipsTemporaryObjects) {
  dav_->put("mlv-remote.yaml", bytes_of("layout: 1\n"));
  dav_->put("packs/ab/ab01", bytes_of("1"));
  dav_->put("packs/ab/ab02", bytes_of("22"));
  dav_->put("packs/cd/cd03", bytes_of("333"));
  dav_->put("manifests/ab/ab04", bytes_of("4444"));
  fs::create_directories(root_ / "www/dav/store/packs/ef");
  std::ofstream(root_ / "www/dav/store/packs/ef/.mlv-tmp-ef05.123") << "partial";

  const auto packs = dav_->list("packs/");
  ASSERT_EQ(packs.size(), 3u);
  EXPECT_EQ(packs[0].key, "packs/ab/ab01");
  EXPECT_EQ(packs[1].size, 2u);
  EXPECT_EQ(packs[2].key, "packs/cd/cd03");
  EXPECT_GT(packs[2].mtime, 1'600'000'000);
  const auto ab = dav_->list("packs/ab/ab0");
  ASSERT_EQ(ab.size(), 2u);
  EXPECT_EQ(dav_->list("").size(), 5u);
  EXPECT_TRUE(dav_->list("dirs/").empty());
  EXPECT_TRUE(make_http_store(url("dav/nothing-here"), {})->list("").empty());
}

TEST_F(HttpStoreTest, RemovesObjectsAndIgnoresMissingOnes) {
  dav_->put("packs/ab/ab01", bytes_of("1"));
  dav_->remove("packs/ab/ab01");
  EXPECT_FALSE(dav_->exists("packs/ab/ab01"));
  dav_->remove("packs/ab/ab01");
  dav_->remove("packs/zz/never");
}

TEST_F(HttpStoreTest, ReadOnlyServersServeReadsButRefuseWritesAndListings) {
  dav_->put("packs/ab/ab01", bytes_of("shared"));
  const auto plain = make_http_store(url("plain/store"), {{"retries", "0"}});
  EXPECT_TRUE(plain->exists("packs/ab/ab01"));
  EXPECT_EQ(read(*plain, "packs/ab/ab01"), "shared");
  try {
    plain->put("packs/ab/ab02", bytes_of("x"));
    FAIL() << "a read-only server accepted a write";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_NE(std::string(error.what()).find("refused writes"), std::string::npos) << error.what();
  }
  try {
    plain->list("packs/");
    FAIL() << "a server without PROPFIND listed";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_NE(std::string(error.what()).find("listing needs WebDAV"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(fs::exists(root_ / "www/dav/store/packs/ab/ab02"));
}

TEST_F(HttpStoreTest, ARedirectIsAnErrorNamingWhereTheServerPoints) {
  const auto moved = make_http_store(url("old/store"), {{"retries", "0"}});
  try {
    moved->exists("packs/ab/ab01");
    FAIL() << "a redirect was taken for an answer";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_NE(std::string(error.what()).find("redirects to"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("/dav/store/"), std::string::npos) << error.what();
  }
}

} // namespace
