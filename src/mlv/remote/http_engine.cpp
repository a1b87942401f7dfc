#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <curl/curl.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <random>
#include <thread>

namespace mlv::remote {

namespace {

constexpr std::size_t k_error_body_limit = 64 * 1024;
constexpr long k_receive_buffer = 512 * 1024;
constexpr long k_upload_buffer = 2 * 1024 * 1024;
constexpr int k_idle_poll_ms = 1000;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One attempt of one request, run by the engine's thread. Owned by the caller of perform(),
// which waits on `done` before reading the outcome or destroying it.
struct Attempt {
  HttpRequest request; // as signed for this attempt
  const Sink* sink = nullptr;
  // Object bytes wanted, as offsets: [want_begin, want_end); want_end 0 = to the end.
  std::uint64_t want_begin = 0;
  std::uint64_t want_end = 0;
  std::uint64_t delivered = 0; // bytes given to the sink by this attempt

  HttpResponse response;
  CURLcode result = CURLE_OK;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::exception_ptr sink_error;
  bool finished_early = false; // every wanted byte arrived; the rest was cut off on purpose

  // Transfer state.
  curl_slist* header_list = nullptr;
  int file = -1;
  std::uint64_t sent = 0;
  std::uint64_t body_start = 0; // object offset of the response body's first byte
  std::uint64_t received = 0;   // response body bytes of this attempt
  bool status_known = false;
  std::promise<void> done;
};

// Object offset of a 206 body's first byte, from "Content-Range: bytes a-b/c".
std::uint64_t content_range_start(const std::map<std::string, std::string>& headers) {
  const auto it = headers.find("content-range");
  if (it == headers.end()) {
    return 0;
  }
  const auto& value = it->second;
  const auto space = value.find(' ');
  try {
    return std::stoull(value.substr(space == std::string::npos ? 0 : space + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& attempt = *static_cast<Attempt*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after 100 Continue, say): its status line, then its headers.
    attempt.response.headers.clear();
    const auto space = line.find(' ');
    attempt.response.status = space == std::string_view::npos
                                  ? 0
                                  : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    attempt.response.headers[lower(std::string(line.substr(0, colon)))] =
        trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& attempt = *static_cast<Attempt*>(user);
  const size_t bytes = size * count;
  auto& response = attempt.response;
  if (!attempt.status_known) {
    attempt.status_known = true;
    const long status = response.status;
    if (status == 206) {
      attempt.body_start = content_range_start(response.headers);
    }
  }
  if (!is_success(response.status) || attempt.sink == nullptr) {
    if (!is_success(response.status) && response.body.size() >= k_error_body_limit) {
      return bytes;
    }
    response.body.append(data, bytes);
    return bytes;
  }
  // Deliver only the wanted part: a server may ignore Range and send the whole object.
  const std::uint64_t position = attempt.body_start + attempt.received;
  attempt.received += bytes;
  const std::uint64_t begin = std::max(position, attempt.want_begin + attempt.delivered);
  const std::uint64_t end = attempt.want_end == 0
                                ? position + bytes
                                : std::min<std::uint64_t>(position + bytes, attempt.want_end);
  if (begin < end) {
    try {
      (*attempt.sink)(std::as_bytes(std::span(data + (begin - position), end - begin)));
    } catch (...) {
      attempt.sink_error = std::current_exception();
      return 0; // aborts the transfer
    }
    attempt.delivered += end - begin;
  }
  if (attempt.want_end != 0 && attempt.want_begin + attempt.delivered >= attempt.want_end) {
    attempt.finished_early = position + bytes > attempt.want_end;
    if (attempt.finished_early) {
      return 0; // the rest of an ignored-range body is not needed
    }
  }
  return bytes;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto& attempt = *static_cast<Attempt*>(user);
  const auto& body = attempt.request.body;
  const std::uint64_t left = body.size() - attempt.sent;
  const size_t want = static_cast<size_t>(std::min<std::uint64_t>(left, size * count));
  if (want == 0) {
    return 0;
  }
  if (body.file.empty()) {
    std::memcpy(buffer, body.bytes.data() + attempt.sent, want);
    attempt.sent += want;
    return want;
  }
  for (;;) {
    const ssize_t got =
        ::pread(attempt.file, buffer, want, static_cast<off_t>(body.file_offset + attempt.sent));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return CURL_READFUNC_ABORT; // the file shrank or failed: reported as a read error
    }
    attempt.sent += static_cast<std::uint64_t>(got);
    return static_cast<size_t>(got);
  }
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto& attempt = *static_cast<Attempt*>(user);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<std::uint64_t>(offset) > attempt.request.body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  attempt.sent = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Whether a finished attempt is worth another try: server trouble or a broken connection, never
// a refusal (4xx) that the next attempt would get again.
bool is_retryable(const Attempt& attempt) {
  if (attempt.sink_error) {
    return false;
  }
  switch (attempt.result) {
  case CURLE_OK:
    return attempt.response.status >= 500 || attempt.response.status == 429 ||
           attempt.response.status == 408;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_READ_ERROR:
  case CURLE_FILE_COULDNT_READ_FILE:
  case CURLE_ABORTED_BY_CALLBACK:
    return false;
  default:
    return true; // refused, reset, timed out, stalled, cut short
  }
}

} // namespace

class HttpEngine::Impl {
public:
  explicit Impl(HttpOptions options) : options_(std::move(options)) {
    global_init();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
      throw Error(Failure::failed, "cannot start the HTTP engine (curl_multi_init failed)");
    }
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_connections));
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(options_.max_connections));
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    worker_ = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    worker_.join();
    curl_multi_cleanup(multi_);
  }

  HttpResponse perform(HttpRequest request) {
    const Sink* sink = request.sink ? &request.sink : nullptr;
    const std::uint64_t want_begin = request.range ? request.range->offset : 0;
    const std::uint64_t want_end =
        request.range ? request.range->offset + request.range->length : 0;
    if (request.range && request.range->length == 0) {
      return HttpResponse{206, {}, {}, 0};
    }
    std::uint64_t delivered = 0;
    std::uint64_t retries = 0;
    std::mt19937_64 random(std::random_device{}());
    for (unsigned attempt_number = 0;; ++attempt_number) {
      Attempt attempt;
      attempt.request = request;
      attempt.request.sink = nullptr;
      attempt.request.sign = nullptr;
      attempt.sink = sink;
      attempt.want_begin = want_begin;
      attempt.want_end = want_end;
      attempt.delivered = delivered;
      // After a broken GET, ask only for what has not arrived.
      if (request.range || delivered > 0) {
        const auto first = want_begin + delivered;
        attempt.request.headers.emplace_back(
            "Range", "bytes=" + std::to_string(first) + "-" +
                         (want_end == 0 ? std::string() : std::to_string(want_end - 1)));
      }
      if (request.sign) {
        request.sign(attempt.request);
      }
      run_attempt(attempt);
      delivered = attempt.delivered;
      if (attempt.sink_error) {
        std::rethrow_exception(attempt.sink_error);
      }
      const bool short_range = attempt.result == CURLE_OK && is_success(attempt.response.status) &&
                               want_end != 0 && want_begin + delivered < want_end &&
                               request.method == "GET";
      if (attempt.result == CURLE_WRITE_ERROR && attempt.finished_early) {
        attempt.result = CURLE_OK;
      }
      const bool retryable = short_range || is_retryable(attempt);
      if (!retryable || attempt_number >= options_.retries) {
        if (attempt.result != CURLE_OK || short_range || attempt.response.status >= 500 ||
            attempt.response.status == 429 || attempt.response.status == 408) {
          throw failure(request, attempt, attempt_number + 1, short_range);
        }
        attempt.response.retries = retries;
        return std::move(attempt.response);
      }
      ++retries;
      retries_.fetch_add(1);
      std::this_thread::sleep_for(backoff(attempt, attempt_number, random));
    }
  }

  HttpCounters counters() const {
    return {requests_.load(), retries_.load(), bytes_sent_.load(), bytes_received_.load()};
  }

  const HttpOptions& options() const { return options_; }

private:
  std::chrono::milliseconds
  backoff(const Attempt& attempt, unsigned attempt_number, std::mt19937_64& random) const {
    // Full jitter: a random wait up to an exponentially growing cap, so many clients that failed
    // together do not come back together.
    const auto cap = std::min<std::int64_t>(options_.backoff_max.count(),
                                            options_.backoff_base.count() *
                                                (std::int64_t{1} << std::min(attempt_number, 20U)));
    std::int64_t wait = std::uniform_int_distribution<std::int64_t>(cap / 4, cap)(random);
    // A server that says when to come back (429, 503) is believed, within the cap.
    if (const auto it = attempt.response.headers.find("retry-after");
        it != attempt.response.headers.end()) {
      try {
        wait = std::max<std::int64_t>(wait, std::min<std::int64_t>(std::stoll(it->second) * 1000,
                                                                   options_.backoff_max.count()));
      } catch (const std::exception&) {
      }
    }
    return std::chrono::milliseconds(wait);
  }

  Error failure(const HttpRequest& request,
                const Attempt& attempt,
                unsigned attempts,
                bool short_range) const {
    std::string reason;
    if (short_range) {
      reason = "the server sent fewer bytes than the range asked for";
    } else if (attempt.result != CURLE_OK) {
      reason = attempt.error_buffer[0] != '\0' ? attempt.error_buffer
                                               : curl_easy_strerror(attempt.result);
    } else {
      reason = describe_status(attempt.response);
    }
    const auto where =
        options_.display_name.empty() ? redact_url(request.url) : options_.display_name;
    return Error(Failure::remote,
                 request.method + " " + redact_url(request.url) + ": " + reason + " (" +
                     std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)"),
                 "check that " + where +
                     " is reachable and working; the remote options `retries`, `timeout` and "
                     "`stall_timeout` tune how long mlv keeps trying");
  }

  // Hands one attempt to the engine's thread and waits for it to finish.
  void run_attempt(Attempt& attempt) {
    auto finished = attempt.done.get_future();
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) {
        throw Error(Failure::failed, "the HTTP engine is shutting down");
      }
      incoming_.push_back(&attempt);
    }
    curl_multi_wakeup(multi_);
    finished.wait();
    requests_.fetch_add(1);
    bytes_sent_.fetch_add(attempt.sent);
    bytes_received_.fetch_add(attempt.received + attempt.response.body.size());
  }

  CURL* make_handle(Attempt& attempt) {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) {
      return nullptr;
    }
    auto& request = attempt.request;
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &attempt);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, attempt.error_buffer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &attempt);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &attempt);
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, k_receive_buffer);
    curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, k_upload_buffer);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(
        easy, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::chrono::milliseconds(options_.connect_timeout).count()));
    // A stall: fewer than 1 byte a second for stall_timeout seconds.
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(options_.stall_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_bundle.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);

    const bool has_body =
        request.body.size() > 0 || request.method == "PUT" || request.method == "POST";
    if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
      if (!request.body.file.empty()) {
        attempt.file = ::open(request.body.file.c_str(), O_RDONLY | O_CLOEXEC);
        if (attempt.file < 0) {
          curl_easy_cleanup(easy);
          throw Error(Failure::failed,
                      errno_message("cannot open", request.body.file.string(), errno));
        }
      }
      curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(easy, CURLOPT_READDATA, &attempt);
      curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(easy, CURLOPT_SEEKDATA, &attempt);
      curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      if (request.method != "PUT") {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
    } else if (request.method != "GET") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    // No "Expect: 100-continue" round trip before each upload.
    attempt.header_list = curl_slist_append(nullptr, "Expect:");
    for (const auto& [name, value] : request.headers) {
      // "Name;" sends a header with an empty value; "Name:" would remove it.
      const auto line = value.empty() ? name + ";" : name + ": " + value;
      attempt.header_list = curl_slist_append(attempt.header_list, line.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, attempt.header_list);
    return easy;
  }

  void finish(CURL* easy, CURLcode result) {
    Attempt* attempt = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &attempt);
    curl_multi_remove_handle(multi_, easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &attempt->response.status);
    curl_easy_cleanup(easy);
    curl_slist_free_all(attempt->header_list);
    attempt->header_list = nullptr;
    if (attempt->file >= 0) {
      ::close(attempt->file);
      attempt->file = -1;
    }
    attempt->result = result;
    --active_;
    attempt->done.set_value();
  }

  void start_waiting() {
    std::deque<Attempt*> starting;
    {
      const std::lock_guard lock(mutex_);
      while (!incoming_.empty() && active_ < std::max(1U, options_.max_connections)) {
        starting.push_back(incoming_.front());
        incoming_.pop_front();
        ++active_;
      }
    }
    for (auto* attempt : starting) {
      CURL* easy = nullptr;
      try {
        easy = make_handle(*attempt);
      } catch (...) {
        attempt->sink_error = std::current_exception();
      }
      if (easy == nullptr) {
        if (!attempt->sink_error) {
          attempt->sink_error = std::make_exception_ptr(
              Error(Failure::failed, "cannot start an HTTP transfer (curl_easy_init failed)"));
        }
        --active_;
        attempt->done.set_value();
        continue;
      }
      curl_multi_add_handle(multi_, easy);
    }
  }

  void run() {
    for (;;) {
      {
        const std::lock_guard lock(mutex_);
        if (stopping_ && active_ == 0) {
          for (auto* attempt : incoming_) {
            attempt->sink_error = std::make_exception_ptr(
                Error(Failure::failed, "the HTTP engine stopped before the request ran"));
            attempt->done.set_value();
          }
          incoming_.clear();
          return;
        }
      }
      start_waiting();
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
        if (message->msg == CURLMSG_DONE) {
          finish(message->easy_handle, message->data.result);
        }
      }
      curl_multi_poll(multi_, nullptr, 0, k_idle_poll_ms, nullptr);
    }
  }

  HttpOptions options_;
  CURLM* multi_ = nullptr;
  std::thread worker_;
  std::mutex mutex_;
  std::deque<Attempt*> incoming_;
  unsigned active_ = 0; // touched by the worker thread, and under mutex_ when starting
  bool stopping_ = false;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> bytes_sent_{0};
  std::atomic<std::uint64_t> bytes_received_{0};
};

HttpEngine::HttpEngine(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpEngine::~HttpEngine() = default;

HttpResponse HttpEngine::perform(HttpRequest request) {
  return impl_->perform(std::move(request));
}

HttpCounters HttpEngine::counters() const {
  return impl_->counters();
}

const HttpOptions& HttpEngine::options() const {
  return impl_->options();
}

} // namespace mlv::remote
