// The HTTP engine against a real nginx on 127.0.0.1 (Debian's nginx, installed by
// `./setup.sh test`), and against sockets that fail the way networks do: refused, stalled.
#include "../loopback.hpp"
#include "../temp_dir.hpp"

#include <mlv/remote/http_engine.hpp>
#include <mlv/util/error.hpp>

#include <signal.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <chrono>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>

namespace mlv::remote {
namespace {

using mlv::test::accepts_connections;
using mlv::test::free_port;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A listening socket on 127.0.0.1 that never accepts: connections complete in the kernel's
// backlog and then nothing is ever answered (a stalled server).
class SilentListener {
public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 64);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

private:
  int fd_ = -1;
  int port_ = 0;
};

std::string random_text(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string text(size, '\0');
  for (auto& c : text) {
    c = static_cast<char>(generator());
  }
  return text;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class HttpEngineTest : public test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_TRUE(fs::exists("/usr/sbin/nginx"))
        << "nginx is not installed: run ./setup.sh test, which installs Debian's nginx";
    port_ = free_port();
    fs::create_directories(root_ / "www/files");
    fs::create_directories(root_ / "tmp");
    std::ofstream(root_ / "nginx.conf")
        << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << (root_ / "nginx.pid")
        << ";\nerror_log " << (root_ / "error.log") << ";\nevents { worker_connections 256; }\n"
        << "http {\n  log_format connections '$connection $request';\n"
        << "  access_log " << (root_ / "access.log") << " connections;\n"
        << "  client_body_temp_path " << (root_ / "tmp") << ";\n"
        << "  proxy_temp_path " << (root_ / "tmp") << ";\n"
        << "  fastcgi_temp_path " << (root_ / "tmp") << ";\n"
        << "  uwsgi_temp_path " << (root_ / "tmp") << ";\n"
        << "  scgi_temp_path " << (root_ / "tmp") << ";\n"
        << "  client_max_body_size 0;\n"
        << "  server {\n    listen 127.0.0.1:" << port_ << ";\n    root " << (root_ / "www")
        << ";\n"
        << "    location /files/ { dav_methods PUT DELETE; create_full_put_path on; }\n"
        << "    location = /busy { return 503; }\n"
        << "    location = /denied { return 403; }\n"
        << "  }\n}\n";
    server_ = ::fork();
    if (server_ == 0) {
      const auto conf = (root_ / "nginx.conf").string();
      const auto prefix = root_.string() + "/";
      ::execl("/usr/sbin/nginx", "nginx", "-c", conf.c_str(), "-p", prefix.c_str(), "-e",
              (root_ / "error.log").c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      HttpEngine probe(options(0));
      try {
        probe.perform({"HEAD", url("/"), {}, {}, {}, {}, {}});
        return;
      } catch (const Error&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    FAIL() << "nginx did not start: " << read_file(root_ / "error.log");
  }

  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      ::waitpid(server_, nullptr, 0);
    }
    TempDirTest::TearDown();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  static HttpOptions options(unsigned retries) {
    HttpOptions options;
    options.retries = retries;
    options.backoff_base = std::chrono::milliseconds(10);
    options.backoff_max = std::chrono::milliseconds(50);
    options.stall_timeout = std::chrono::seconds(1);
    options.connect_timeout = std::chrono::seconds(2);
    return options;
  }

  int port_ = 0;
  pid_t server_ = -1;
};

TEST_F(HttpEngineTest, PutsAFileThenReadsItWholeAndByRange) {
  HttpEngine engine(options(2));
  const auto content = random_text(3 << 20, 1);
  std::ofstream(root_ / "upload.bin", std::ios::binary) << content;
  HttpRequest put{"PUT", url("/files/a/b/object.bin"), {}, {}, {}, {}, {}};
  put.body = Body::of_file(root_ / "upload.bin", 1000, content.size() - 1000);
  const auto stored = engine.perform(put);
  EXPECT_EQ(stored.status, 201);
  EXPECT_EQ(read_file(root_ / "www/files/a/b/object.bin"), content.substr(1000));

  std::string whole;
  HttpRequest get{"GET", url("/files/a/b/object.bin"), {}, {}, {}, {}, {}};
  get.sink = [&](std::span<const std::byte> block) {
    whole.append(reinterpret_cast<const char*>(block.data()), block.size());
  };
  EXPECT_EQ(engine.perform(get).status, 200);
  EXPECT_EQ(whole, content.substr(1000));

  std::string part;
  HttpRequest range{"GET", url("/files/a/b/object.bin"), {}, {}, {}, {}, {}};
  range.range = Range{12345, 777777};
  range.sink = [&](std::span<const std::byte> block) {
    part.append(reinterpret_cast<const char*>(block.data()), block.size());
  };
  EXPECT_EQ(engine.perform(range).status, 206);
  EXPECT_EQ(part, content.substr(1000 + 12345, 777777));
}

TEST_F(HttpEngineTest, ReturnsRefusalsAndMissingObjectsWithoutRetrying) {
  HttpEngine engine(options(3));
  EXPECT_EQ(engine.perform({"HEAD", url("/files/none"), {}, {}, {}, {}, {}}).status, 404);
  const auto denied = engine.perform({"GET", url("/denied"), {}, {}, {}, {}, {}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(engine.counters().requests, 2U);
  EXPECT_EQ(engine.counters().retries, 0U);
}

TEST_F(HttpEngineTest, RetriesServerErrorsThenFailsNamingTheRequest) {
  HttpEngine engine(options(3));
  try {
    engine.perform({"GET", url("/busy"), {}, {}, {}, {}, {}});
    FAIL() << "a 503 every time must fail";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_NE(std::string(error.what()).find("503"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("/busy"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("4 attempts"), std::string::npos) << error.what();
  }
  EXPECT_EQ(engine.counters().requests, 4U);
  EXPECT_EQ(engine.counters().retries, 3U);
}

TEST_F(HttpEngineTest, SignsEveryAttemptAgain) {
  HttpEngine engine(options(2));
  int signatures = 0;
  HttpRequest request{"GET", url("/busy"), {}, {}, {}, {}, {}};
  request.sign = [&](HttpRequest& attempt) {
    ++signatures;
    attempt.headers.emplace_back("X-Attempt", std::to_string(signatures));
  };
  EXPECT_THROW(engine.perform(request), Error);
  EXPECT_EQ(signatures, 3);
}

TEST_F(HttpEngineTest, GivesUpOnAStalledServerAfterTheStallTimeout) {
  SilentListener silent;
  HttpEngine engine(options(1));
  const auto started = Clock::now();
  try {
    engine.perform(
        {"GET", "http://127.0.0.1:" + std::to_string(silent.port()) + "/x", {}, {}, {}, {}, {}});
    FAIL() << "a server that never answers must fail";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_NE(std::string(error.what()).find("2 attempts"), std::string::npos) << error.what();
  }
  const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_GE(seconds, 2.0); // two attempts of a one-second stall each
  EXPECT_LT(seconds, 10.0);
}

TEST_F(HttpEngineTest, FailsFastOnARefusedConnection) {
  HttpEngine engine(options(2));
  const auto started = Clock::now();
  EXPECT_THROW(
      engine.perform(
          {"GET", "http://127.0.0.1:" + std::to_string(free_port()) + "/x", {}, {}, {}, {}, {}}),
      Error);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - started).count(), 2.0);
  EXPECT_EQ(engine.counters().requests, 3U);
}

TEST_F(HttpEngineTest, ServesManyThreadsAtOnceOverFewConnections) {
  auto engine_options = options(2);
  engine_options.max_connections = 4;
  HttpEngine engine(engine_options);
  const auto content = random_text(1 << 20, 2);
  std::ofstream(root_ / "www/files/shared.bin", std::ios::binary) << content;
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        const std::uint64_t offset = static_cast<std::uint64_t>(t * 8 + i) * 4096;
        std::string part;
        HttpRequest request{"GET", url("/files/shared.bin"), {}, {}, {}, {}, {}};
        request.range = Range{offset, 100000};
        request.sink = [&](std::span<const std::byte> block) {
          part.append(reinterpret_cast<const char*>(block.data()), block.size());
        };
        engine.perform(request);
        if (part == content.substr(offset, 100000)) {
          ++correct;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(correct.load(), 64);
  EXPECT_EQ(engine.counters().retries, 0U);
  // Keep-alive: the 64 requests came over at most max_connections connections.
  // nginx writes a log line after the response has gone out, so the last line
  // may trail the client by a moment: read until all 64 are there or 5 s pass.
  std::set<std::string> connections;
  int logged = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  do {
    connections.clear();
    logged = 0;
    std::ifstream log(root_ / "access.log");
    for (std::string line; std::getline(log, line);) {
      if (line.find("shared.bin") != std::string::npos) {
        ++logged;
        connections.insert(line.substr(0, line.find(' ')));
      }
    }
    if (logged < 64) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } while (logged < 64 && Clock::now() < deadline);
  EXPECT_EQ(logged, 64);
  EXPECT_LE(connections.size(), 4U);
}

TEST(HttpOptionsTest, ReadsRemoteOptionsAndRejectsBadValuesNamingThem) {
  const auto options =
      http_options({{"retries", "2"}, {"stall_timeout", "7"}, {"jobs", "3"}}, "s3://bucket");
  EXPECT_EQ(options.retries, 2U);
  EXPECT_EQ(options.stall_timeout.count(), 7);
  EXPECT_EQ(options.max_connections, 3U);
  try {
    http_options({{"retries", "many"}}, "s3://bucket");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("retries"), std::string::npos);
  }
}

TEST(UrlEscapeTest, KeepsUnreservedCharactersAndSlashesInPaths) {
  EXPECT_EQ(url_escape_path("packs/ab/a b+c~"), "packs/ab/a%20b%2Bc~");
  EXPECT_EQ(url_escape("a/b=c&d"), "a%2Fb%3Dc%26d");
}

} // namespace
} // namespace mlv::remote
