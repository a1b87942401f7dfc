#include "gcs_settings.hpp"
#include "gcs_token.hpp"

#include <mlv/remote/gcs_store.hpp>
#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json_reader.hpp>

#include <cstdio>
#include <ctime>
#include <filesystem>

namespace mlv::remote {

namespace {

using namespace gcs;
using util::JsonError;
using util::parse_json;

// Only the fields mlv reads, so a listing page stays small.
constexpr std::string_view k_list_fields = "items(name,size,updated),nextPageToken";

class GcsStore final : public ObjectStore {
public:
  GcsStore(const std::string& url, const Options& options, const Environment& environment)
      : location_(parse_gs_url(url)), endpoint_(storage_endpoint(options, environment)),
        auth_(choose_auth(options, environment)),
        display_url_("gs://" + location_.bucket +
                     (location_.prefix.empty()
                          ? ""
                          : "/" + location_.prefix.substr(0, location_.prefix.size() - 1))),
        engine_(http_options(options, display_url_)),
        tokens_(make_token_source(auth_, engine_, display_url_)) {}

  bool exists(const std::string& key) override {
    HttpRequest request;
    request.url = object_url(key) + "?fields=name";
    const auto response = send(std::move(request));
    return found(response, "read", key);
  }

  bool get(const std::string& key, const Sink& sink) override {
    HttpRequest request;
    request.url = object_url(key) + "?alt=media";
    request.sink = sink;
    return found(send(std::move(request)), "read", key);
  }

  bool get_range(const std::string& key, const Range& range, const Sink& sink) override {
    HttpRequest request;
    request.url = object_url(key) + "?alt=media";
    request.range = range;
    request.sink = sink;
    const auto response = send(std::move(request));
    if (response.status == 416) {
      throw Error(Failure::corrupt,
                  display_url_ + ": object " + key + " is shorter than expected (truncated?)",
                  "the remote copy is damaged; push it again from a machine that has it");
    }
    return found(response, "read", key);
  }

  void put_file(const std::string& key, const std::filesystem::path& source) override {
    std::error_code error;
    const auto size = std::filesystem::file_size(source, error);
    if (error) {
      throw Error(Failure::failed, errno_message("cannot read", source.string(), error.value()));
    }
    upload(key, Body::of_file(source, 0, size));
  }

  void put(const std::string& key, std::span<const std::byte> bytes) override {
    upload(key, Body::of(bytes));
  }

  std::vector<ObjectInfo> list(const std::string& prefix) override {
    std::vector<ObjectInfo> objects;
    std::string page_token;
    do {
      HttpRequest request;
      request.url = bucket_url() + "/o?prefix=" + url_escape(location_.prefix + prefix) +
                    "&fields=" + url_escape(k_list_fields);
      if (!page_token.empty()) {
        request.url += "&pageToken=" + url_escape(page_token);
      }
      const auto response = send(std::move(request));
      if (!is_success(response.status)) {
        throw failure(response, "list", prefix.empty() ? "objects" : prefix + "*");
      }
      page_token = read_page(response.body, objects);
    } while (!page_token.empty());
    return objects;
  }

  void remove(const std::string& key) override {
    HttpRequest request;
    request.method = "DELETE";
    request.url = object_url(key);
    const auto response = send(std::move(request));
    if (!is_success(response.status) && !(response.status == 404 && !bucket_missing(response))) {
      throw failure(response, "delete", key);
    }
  }

  std::string display_url() const override { return display_url_; }

  // Token requests included: they are requests this remote costs.
  StoreCounters counters() const override {
    const auto counters = engine_.counters();
    return {counters.requests, counters.retries};
  }

private:
  std::string bucket_url() const {
    return endpoint_ + "/storage/v1/b/" + url_escape(location_.bucket);
  }

  std::string object_url(const std::string& key) const {
    check_key(key);
    return bucket_url() + "/o/" + url_escape(location_.prefix + key);
  }

  static void check_key(const std::string& key) {
    if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
      throw Error(Failure::failed, "invalid object key '" + key + "'");
    }
  }

  void upload(const std::string& key, Body body) {
    check_key(key);
    const auto size = body.size();
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint_ + "/upload/storage/v1/b/" + url_escape(location_.bucket) +
                  "/o?uploadType=media&name=" + url_escape(location_.prefix + key);
    request.headers = {{"Content-Type", "application/octet-stream"}};
    request.body = std::move(body);
    const auto response = send(std::move(request));
    if (!is_success(response.status)) {
      throw failure(response, "write", key);
    }
    // The object resource GCS answers with names the size it stored.
    try {
      const auto stored = parse_json(response.body).unsigned_at("size");
      if (stored && *stored != size) {
        throw Error(Failure::remote,
                    display_url_ + ": wrote " + key + " but the server stored " +
                        std::to_string(*stored) + " of " + std::to_string(size) + " bytes",
                    "push again; if it repeats, check the server or proxy in between");
      }
    } catch (const JsonError&) {
      // An answer without a readable object resource is still a success status.
    }
  }

  // Sends with a bearer token set before every attempt; a token the server refuses (revoked,
  // or expired earlier than announced) is replaced once.
  HttpResponse send(HttpRequest request) {
    if (!tokens_) {
      return engine_.perform(std::move(request));
    }
    std::string used;
    request.sign = [this, &used](HttpRequest& attempt) {
      used = tokens_->token();
      attempt.headers.emplace_back("Authorization", "Bearer " + used);
    };
    auto response = engine_.perform(request);
    if (response.status == 401 && tokens_->refused(used)) {
      response = engine_.perform(std::move(request));
    }
    return response;
  }

  // 2xx: true; a missing object: false; anything else throws.
  bool found(const HttpResponse& response, const char* action, const std::string& key) const {
    if (is_success(response.status)) {
      return true;
    }
    if (response.status == 404 && !bucket_missing(response)) {
      return false;
    }
    throw failure(response, action, key);
  }

  static bool bucket_missing(const HttpResponse& response) {
    return response.status == 404 &&
           response.body.find("bucket does not exist") != std::string::npos;
  }

  // Reads one listing page into `objects`; returns the next page's token, or "".
  std::string read_page(const std::string& body, std::vector<ObjectInfo>& objects) const {
    try {
      const auto page = parse_json(body);
      if (const auto* items = page.find("items"); items != nullptr && items->is_array()) {
        for (const auto& item : items->items) {
          const auto name = item.string_at("name");
          if (!name || !name->starts_with(location_.prefix)) {
            continue;
          }
          objects.push_back({name->substr(location_.prefix.size()),
                             item.unsigned_at("size").value_or(0),
                             parse_iso8601(item.string_at("updated").value_or(""))});
        }
      }
      return page.string_at("nextPageToken").value_or("");
    } catch (const JsonError& error) {
      throw Error(Failure::remote,
                  display_url_ + ": the object listing is not valid JSON (" + error.what() + ")",
                  "check that the endpoint " + endpoint_ + " is a Google Cloud Storage JSON API");
    }
  }

  Error failure(const HttpResponse& response, const char* action, const std::string& key) const {
    const auto what = display_url_ + ": cannot " + action + " " + key + ": ";
    if (bucket_missing(response)) {
      return Error(Failure::remote,
                   display_url_ + ": the bucket '" + location_.bucket + "' does not exist (" +
                       describe_status(response) + ")",
                   "create it (gcloud storage buckets create gs://" + location_.bucket +
                       ") or fix the remote's URL with `mlv remote modify NAME url gs://...`");
    }
    if (response.status == 401) {
      return Error(Failure::remote, what + "not authenticated (" + describe_status(response) + ")",
                   auth_hint());
    }
    if (response.status == 403) {
      return Error(Failure::remote, what + "access denied (" + describe_status(response) + ")",
                   "grant the account mlv uses (" + auth_description() +
                       ") a role on the bucket that may read and create objects, e.g. "
                       "roles/storage.objectAdmin");
    }
    return Error(Failure::remote, what + describe_status(response),
                 "check that " + endpoint_ + " is reachable and serves the bucket");
  }

  std::string auth_description() const {
    switch (auth_.kind) {
    case AuthKind::anonymous:
      return "none: requests are anonymous";
    case AuthKind::token:
      return "the access token from " + auth_.origin;
    case AuthKind::service_account:
      return "the service account key " + auth_.key_file.string() + " from " + auth_.origin;
    }
    return {};
  }

  std::string auth_hint() const {
    switch (auth_.kind) {
    case AuthKind::anonymous:
      return "mlv sent no credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service account's "
             "key file, or `mlv config --local remote.NAME.credentialpath /path/key.json`";
    case AuthKind::token:
      return "the access token from " + auth_.origin +
             " is invalid or expired: get a new one, or use a service account key "
             "(remote.NAME.credentialpath) so that mlv renews tokens itself";
    case AuthKind::service_account:
      return "the server refused the token made from the key " + auth_.key_file.string() +
             ": check that the service account still exists and is enabled";
    }
    return {};
  }

  Location location_;
  std::string endpoint_;
  AuthChoice auth_;
  std::string display_url_;
  HttpEngine engine_;
  std::unique_ptr<TokenSource> tokens_;
};

} // namespace

std::unique_ptr<ObjectStore> make_gcs_store(const std::string& url, const Options& options) {
  return std::make_unique<GcsStore>(url, options, process_environment());
}

} // namespace mlv::remote
