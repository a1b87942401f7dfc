#include <mlv/hash/sha256.hpp>
#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/s3_credentials.hpp>
#include <mlv/remote/s3_errors.hpp>
#include <mlv/remote/s3_settings.hpp>
#include <mlv/remote/s3_signer.hpp>
#include <mlv/remote/s3_store.hpp>
#include <mlv/remote/s3_xml.hpp>
#include <mlv/util/error.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

namespace mlv::remote {

namespace {

namespace fs = std::filesystem;
using namespace s3;

// What one request needs besides its URL.
struct Call {
  std::string method = "GET";
  std::string url;
  Body body{};
  std::string payload_hash = std::string(k_empty_payload_sha256);
  const Sink* sink = nullptr;
  std::optional<Range> range{};
};

class S3Store final : public ObjectStore {
public:
  S3Store(Settings settings, const Options& options, Environment environment)
      : settings_(std::move(settings)), options_(options), environment_(std::move(environment)),
        engine_(engine_options(settings_, options_, environment_)) {}

  bool exists(const std::string& key) override {
    const auto response = send({.method = "HEAD", .url = url_of(key)});
    if (is_success(response.status)) {
      return true;
    }
    if (response.status == 404) {
      check_bucket();
      return false;
    }
    // A HEAD answer has no body to name the S3 error; a listing of the bucket tells it.
    check_bucket();
    throw request_error(settings_.url, "HEAD " + key, response);
  }

  bool get(const std::string& key, const Sink& sink) override {
    const auto response = send({.url = url_of(key), .sink = &sink});
    return found_or_throw(response, "GET " + key);
  }

  bool get_range(const std::string& key, const Range& range, const Sink& sink) override {
    if (range.length == 0) {
      return exists(key);
    }
    const auto response = send({.url = url_of(key), .sink = &sink, .range = range});
    if (response.status == 416) {
      throw Error(Failure::corrupt,
                  settings_.url + ": object " + key + " is shorter than expected (truncated?)",
                  "the remote copy is damaged; push it again from a machine that has it");
    }
    return found_or_throw(response, "GET " + key + " (a byte range)");
  }

  void put_file(const std::string& key, const fs::path& source) override {
    std::error_code error;
    const auto size = fs::file_size(source, error);
    if (error) {
      throw Error(Failure::failed, "cannot read " + source.string() + ": " + error.message());
    }
    if (size >= settings_.multipart_threshold) {
      put_multipart(key, source, size);
      return;
    }
    const auto response = send({.method = "PUT",
                                .url = url_of(key),
                                .body = Body::of_file(source, 0, size),
                                .payload_hash = std::string(k_unsigned_payload)});
    expect_success(response, "PUT " + key);
  }

  void put(const std::string& key, std::span<const std::byte> bytes) override {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const auto response = send({.method = "PUT",
                                .url = url_of(key),
                                .body = Body::of(bytes),
                                .payload_hash = hash::sha256_hex(text)});
    expect_success(response, "PUT " + key);
  }

  std::vector<ObjectInfo> list(const std::string& prefix) override {
    std::vector<ObjectInfo> objects;
    std::string token;
    do {
      auto page = list_page(settings_.prefix + prefix, token, 0);
      for (auto& object : page.objects) {
        if (object.key.starts_with(settings_.prefix)) {
          object.key.erase(0, settings_.prefix.size());
          objects.push_back(std::move(object));
        }
      }
      token = page.next_continuation_token;
    } while (!token.empty());
    return objects;
  }

  void remove(const std::string& key) override {
    const auto response = send({.method = "DELETE", .url = url_of(key)});
    if (response.status == 404 && !has_error_code(response.body, "NoSuchBucket")) {
      return;
    }
    expect_success(response, "DELETE " + key);
  }

  std::string display_url() const override { return settings_.url; }

  StoreCounters counters() const override {
    const auto counted = engine_.counters();
    return {counted.requests, counted.retries};
  }

private:
  static HttpOptions
  engine_options(const Settings& settings, const Options& options, const Environment& environment) {
    auto name = settings.url;
    if (settings.custom_endpoint) {
      name += " at " + redact_url(settings.endpoint);
    }
    auto http = http_options(options, name);
    if (http.ca_bundle.empty()) {
      http.ca_bundle = environment("AWS_CA_BUNDLE").value_or("");
    }
    return http;
  }

  std::string url_of(const std::string& key) const {
    if (key.empty() || key.front() == '/') {
      throw Error(Failure::failed, "invalid object key '" + key + "'");
    }
    return object_url(settings_, settings_.prefix + key);
  }

  // Found at first use, so that `mlv remote add` and commands that never reach the remote do
  // not need credentials.
  Credentials credentials() {
    std::lock_guard lock(credentials_mutex_);
    if (!credentials_) {
      credentials_ = resolve_credentials(options_, environment_, settings_.url);
    }
    return *credentials_;
  }

  HttpResponse send(Call call) {
    HttpRequest request;
    request.method = std::move(call.method);
    request.url = std::move(call.url);
    request.body = call.body;
    request.range = call.range;
    if (call.sink != nullptr) {
      request.sink = *call.sink;
    }
    // Signed again before every attempt: a retry gets a fresh date and its own Range.
    request.sign = [credentials = credentials(), scope = SigningScope{settings_.region, "s3"},
                    hash = std::move(call.payload_hash)](HttpRequest& attempt) {
      sign_request(attempt, scope, credentials, hash, std::chrono::system_clock::now());
    };
    return engine_.perform(std::move(request));
  }

  void expect_success(const HttpResponse& response, const std::string& action) {
    if (!is_success(response.status)) {
      throw request_error(settings_.url, action, response);
    }
  }

  // True on success, false when the object is missing; a missing bucket is an error.
  bool found_or_throw(const HttpResponse& response, const std::string& action) {
    if (is_success(response.status)) {
      return true;
    }
    if (response.status == 404 && !has_error_code(response.body, "NoSuchBucket")) {
      if (!has_error_code(response.body, "NoSuchKey")) {
        check_bucket();
      }
      return false;
    }
    throw request_error(settings_.url, action, response);
  }

  // Throws the bucket's error (missing, refused) once; a store that reached it stops asking.
  void check_bucket() {
    if (!bucket_seen_.load()) {
      list_page(settings_.prefix, {}, 1);
    }
  }

  ListPage list_page(const std::string& prefix, const std::string& token, unsigned max_keys) {
    auto url = bucket_url(settings_) + "?list-type=2&prefix=" + aws_uri_encode(prefix, false);
    if (!token.empty()) {
      url += "&continuation-token=" + aws_uri_encode(token, false);
    }
    if (max_keys > 0) {
      url += "&max-keys=" + std::to_string(max_keys);
    }
    const auto response = send({.url = url});
    expect_success(response, "list " + (prefix.empty() ? std::string("the bucket") : prefix));
    bucket_seen_ = true;
    return parse_list_objects(response.body, settings_.url);
  }

  void put_multipart(const std::string& key, const fs::path& source, std::uint64_t size);

  Settings settings_;
  Options options_;
  Environment environment_;
  HttpEngine engine_;
  std::mutex credentials_mutex_;
  std::optional<Credentials> credentials_;
  std::atomic<bool> bucket_seen_{false};
};

// CreateMultipartUpload, UploadPart for each slice of the file in order, then
// CompleteMultipartUpload; any failure aborts the upload so no parts are left to pay for.
void S3Store::put_multipart(const std::string& key, const fs::path& source, std::uint64_t size) {
  const auto url = url_of(key);
  const auto created = send({.method = "POST", .url = url + "?uploads"});
  expect_success(created, "start a multipart upload of " + key);
  const auto upload_id = parse_upload_id(created.body);
  if (!upload_id) {
    throw Error(Failure::remote,
                settings_.url + ": the answer to starting a multipart upload of " + key +
                    " has no UploadId",
                "check that the endpoint is an S3-compatible server that supports multipart "
                "uploads, or raise multipart_threshold");
  }
  const auto upload_query = "uploadId=" + aws_uri_encode(*upload_id, false);
  // S3 allows 10,000 parts; a bigger file gets bigger parts.
  const auto part_size = std::max(settings_.multipart_chunksize,
                                  (size + k_max_multipart_parts - 1) / k_max_multipart_parts);
  try {
    std::vector<std::string> etags;
    for (std::uint64_t offset = 0; offset < size; offset += part_size) {
      const auto length = std::min(part_size, size - offset);
      const auto number = etags.size() + 1;
      const auto response =
          send({.method = "PUT",
                .url = url + "?partNumber=" + std::to_string(number) + "&" + upload_query,
                .body = Body::of_file(source, offset, length),
                .payload_hash = std::string(k_unsigned_payload)});
      expect_success(response, "PUT " + key + " (part " + std::to_string(number) + ")");
      const auto etag = response.headers.find("etag");
      if (etag == response.headers.end()) {
        throw Error(Failure::remote,
                    settings_.url + ": the server sent no ETag for part " + std::to_string(number) +
                        " of " + key,
                    "check that the endpoint is an S3-compatible server");
      }
      etags.push_back(etag->second);
    }
    const auto body = complete_multipart_body(etags);
    const auto completed = send({.method = "POST",
                                 .url = url + "?" + upload_query,
                                 .body = Body::of(std::string_view(body)),
                                 .payload_hash = hash::sha256_hex(body)});
    // S3 may answer 200 and still report a failure in the body.
    if (is_success(completed.status) && !parse_error(completed.body).code.empty()) {
      auto failed = completed;
      failed.status = 500;
      throw request_error(settings_.url, "complete the multipart upload of " + key, failed);
    }
    expect_success(completed, "complete the multipart upload of " + key);
  } catch (...) {
    try {
      send({.method = "DELETE", .url = url + "?" + upload_query});
    } catch (...) {
      // The first failure is the one to report; the bucket's lifecycle rules clean up.
    }
    throw;
  }
}

} // namespace

std::unique_ptr<ObjectStore> make_s3_store(const std::string& url, const Options& options) {
  auto environment = process_environment();
  auto settings = parse_settings(url, options, environment);
  return std::make_unique<S3Store>(std::move(settings), options, std::move(environment));
}

} // namespace mlv::remote
