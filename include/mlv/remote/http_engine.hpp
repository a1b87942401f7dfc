#pragma once

#include <mlv/remote/object_store.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mlv::remote {

// Header names are lower-case in responses; requests keep the caller's spelling.
using Headers = std::vector<std::pair<std::string, std::string>>;

// A request body: nothing, bytes the caller keeps alive for the whole call, or a slice of a
// file read as it is sent (constant memory). Either can be sent again on a retry.
struct Body {
  std::span<const std::byte> bytes;
  std::filesystem::path file;
  std::uint64_t file_offset = 0;
  std::uint64_t file_length = 0; // used when `file` is set

  std::uint64_t size() const { return file.empty() ? bytes.size() : file_length; }
  static Body of(std::span<const std::byte> bytes) { return Body{bytes, {}, 0, 0}; }
  static Body of(std::string_view text) {
    return of(std::as_bytes(std::span(text.data(), text.size())));
  }
  static Body
  of_file(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t length) {
    return Body{{}, path, offset, length};
  }
};

struct HttpRequest {
  std::string method = "GET"; // GET, HEAD, PUT, POST, DELETE, MKCOL, PROPFIND ...
  std::string url;            // fully escaped
  Headers headers;
  Body body;
  // For a GET: the byte range wanted. The engine sends the Range header itself, so that a retry
  // after a broken transfer asks only for the bytes not yet delivered.
  std::optional<Range> range;
  // Receives a successful (2xx) response body in order, in blocks, exactly once per byte even
  // across retries. Without a sink, the body is kept in HttpResponse::body.
  Sink sink;
  // Called before every attempt, with the request as it will be sent (range header included):
  // request signing that depends on the time (S3 SigV4, Azure Shared Key) or on a token that
  // may have been refreshed goes here. May throw Error to stop.
  std::function<void(HttpRequest&)> sign;
};

// A 2xx status.
inline bool is_success(long status) {
  return status >= 200 && status < 300;
}

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;                           // when the request had no sink, or on a non-2xx
                                              // status (the first 64 KiB, for error messages)
  std::uint64_t retries = 0;                  // attempts beyond the first
};

// What the engine does on failures, and its limits. Filled from config by remote_http_options().
struct HttpOptions {
  unsigned max_connections = 8;                // transfers in flight at once (-j / core.jobs)
  unsigned retries = 5;                        // further attempts after a failed one
  std::chrono::milliseconds backoff_base{200}; // doubled per attempt, with full jitter
  std::chrono::milliseconds backoff_max{10'000};
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds stall_timeout{30}; // no byte moved for this long: the attempt failed
  std::string ca_bundle;                  // a CA file; empty: the system's
  bool verify_tls = true;
  std::string display_name; // the remote's redacted URL, for messages
};

// Counters of everything the engine did, for --json summaries and benchmarks.
struct HttpCounters {
  std::uint64_t requests = 0; // attempts, retries included
  std::uint64_t retries = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
};

// One libcurl-multi transfer engine shared by the network backends of a process: a worker
// thread drives every transfer, reusing connections (HTTP/1.1 keep-alive, HTTP/2 where the
// server offers it), at most `max_connections` at once. perform() may be called from many
// threads; each call blocks until its request is answered. Retries 5xx, 429, timeouts,
// resets and stalls with exponential backoff and full jitter, up to `retries` times, then throws
// Error(remote) naming the method, the URL (redacted) and what went wrong. A 4xx (other than
// 429) is returned, not thrown: what it means depends on the backend.
class HttpEngine {
public:
  explicit HttpEngine(HttpOptions options);
  ~HttpEngine();
  HttpEngine(const HttpEngine&) = delete;
  HttpEngine& operator=(const HttpEngine&) = delete;

  HttpResponse perform(HttpRequest request);
  HttpCounters counters() const;
  const HttpOptions& options() const;

private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Engine options from a remote's config options (`timeout`, `retries`, `stall_timeout`,
// `ca_bundle`, `verify_tls`, `jobs`) over the defaults; bad values are Error(bad_input) naming
// the option.
HttpOptions http_options(const Options& options, const std::string& display_url);

// Percent-encodes a string for a URL path (RFC 3986 unreserved characters and '/' kept).
std::string url_escape_path(std::string_view text);
// Percent-encodes a query value or a path segment (only unreserved characters kept).
std::string url_escape(std::string_view text);

// A short reason for a failed response, for messages: "HTTP 403 Forbidden: <the server's
// error code or message, when the body names one>".
std::string describe_status(const HttpResponse& response);

} // namespace mlv::remote
