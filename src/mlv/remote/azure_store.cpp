#include <mlv/remote/azure_account.hpp>
#include <mlv/remote/azure_shared_key.hpp>
#include <mlv/remote/azure_store.hpp>
#include <mlv/remote/azure_xml.hpp>
#include <mlv/remote/http_engine.hpp>
#include <mlv/util/error.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace mlv::remote {

namespace {

namespace fs = std::filesystem;
using namespace azure;

// Put Blob sends an object whole up to this size; larger ones go as blocks (Put Block, then Put
// Block List), so a failed request resends one block, not the object.
constexpr std::uint64_t k_default_max_single_put = 64ULL << 20;
constexpr std::uint64_t k_default_block_size = 16ULL << 20;
constexpr std::uint64_t k_max_block_size = 4000ULL << 20; // Azure's limit per block
constexpr std::uint64_t k_max_single_put = 5000ULL << 20; // Azure's limit per Put Blob
constexpr std::uint64_t k_max_blocks = 50'000;            // Azure's limit per blob
constexpr std::uint64_t k_max_list_page_size = 5000;      // Azure's limit per List Blobs page

std::uint64_t size_option(const Options& options,
                          const char* name,
                          std::uint64_t fallback,
                          std::uint64_t min,
                          std::uint64_t max) {
  const auto it = options.find(name);
  if (it == options.end()) {
    return fallback;
  }
  std::uint64_t value = 0;
  const auto& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw Error(Failure::invalid_input,
                "remote option '" + std::string(name) + "': '" + text +
                    "' is not a size in bytes from " + std::to_string(min) + " to " +
                    std::to_string(max),
                "set it with `mlv remote modify NAME " + std::string(name) + " BYTES`");
  }
  return value;
}

class AzureStore final : public ObjectStore {
public:
  // `account_error` is a configuration problem found when opening: `mlv remote add` opens a
  // store before its credentials are configured, so it is reported at the first request.
  AzureStore(Location location,
             Account account,
             std::optional<Error> account_error,
             const Options& options)
      : location_(std::move(location)), account_(std::move(account)),
        account_error_(std::move(account_error)),
        display_url_("azure://" + location_.container +
                     (location_.prefix.empty() ? "" : "/" + location_.prefix)),
        max_single_put_(
            size_option(options, "max_single_put", k_default_max_single_put, 0, k_max_single_put)),
        block_size_(size_option(options, "block_size", k_default_block_size, 1, k_max_block_size)),
        list_page_size_(
            size_option(options, "list_page_size", k_max_list_page_size, 1, k_max_list_page_size)),
        engine_(http_options(options,
                             display_url_ + (account_.endpoint.empty()
                                                 ? std::string()
                                                 : " (" + account_.endpoint + ")"))) {}

  bool exists(const std::string& key) override {
    auto response = perform(request("HEAD", blob_url(key)));
    if (response.status == 200) {
      return true;
    }
    if (response.status == 404 && !is_container_missing(response)) {
      return false;
    }
    throw failure("cannot check " + key, response);
  }

  bool get(const std::string& key, const Sink& sink) override {
    auto get = request("GET", blob_url(key));
    get.sink = sink;
    return fetch(key, std::move(get));
  }

  bool get_range(const std::string& key, const Range& range, const Sink& sink) override {
    auto get = request("GET", blob_url(key));
    get.range = range;
    get.sink = sink;
    return fetch(key, std::move(get));
  }

  void put_file(const std::string& key, const fs::path& source) override {
    std::error_code error;
    const auto size = fs::file_size(source, error);
    if (error) {
      throw Error(Failure::failed, errno_message("cannot read", source.string(), error.value()));
    }
    if (size <= max_single_put_) {
      put_blob(key, Body::of_file(source, 0, size));
      return;
    }
    put_blocks(key, size, [&](std::uint64_t offset, std::uint64_t length) {
      return Body::of_file(source, offset, length);
    });
  }

  void put(const std::string& key, std::span<const std::byte> bytes) override {
    if (bytes.size() <= max_single_put_) {
      put_blob(key, Body::of(bytes));
      return;
    }
    put_blocks(key, bytes.size(), [&](std::uint64_t offset, std::uint64_t length) {
      return Body::of(bytes.subspan(offset, length));
    });
  }

  std::vector<ObjectInfo> list(const std::string& prefix) override {
    const auto full_prefix = blob_name(prefix);
    const auto strip = location_.prefix.empty() ? 0 : location_.prefix.size() + 1;
    std::vector<ObjectInfo> objects;
    std::string marker;
    do {
      std::string query =
          "restype=container&comp=list&maxresults=" + std::to_string(list_page_size_);
      if (!full_prefix.empty()) {
        query += "&prefix=" + url_escape(full_prefix);
      }
      if (!marker.empty()) {
        query += "&marker=" + url_escape(marker);
      }
      const auto response = perform(request("GET", container_url(query)));
      if (response.status != 200) {
        throw failure("cannot list " + (prefix.empty() ? std::string("objects") : prefix),
                      response);
      }
      BlobListPage page;
      try {
        page = parse_blob_list(response.body);
      } catch (const Error& error) {
        throw Error(Failure::remote, display_url_ + ": " + error.what(),
                    "check that remote.NAME.endpointurl points at an Azure Blob service");
      }
      for (auto& blob : page.blobs) {
        if (blob.key.size() >= strip && blob.key.starts_with(full_prefix)) {
          blob.key.erase(0, strip);
          objects.push_back(std::move(blob));
        }
      }
      marker = std::move(page.next_marker);
    } while (!marker.empty());
    return objects;
  }

  void remove(const std::string& key) override {
    const auto response = perform(request("DELETE", blob_url(key)));
    if (response.status == 200 || response.status == 202 ||
        (response.status == 404 && !is_container_missing(response))) {
      return;
    }
    throw failure("cannot delete " + key, response);
  }

  std::string display_url() const override { return display_url_; }

  StoreCounters counters() const override {
    const auto counted = engine_.counters();
    return {counted.requests, counted.retries};
  }

private:
  std::string blob_name(const std::string& key) const {
    return location_.prefix.empty() ? key : location_.prefix + "/" + key;
  }

  std::string with_sas(std::string url, bool has_query) const {
    if (!account_.sas.empty()) {
      url += (has_query ? "&" : "?") + account_.sas;
    }
    return url;
  }

  std::string blob_url(const std::string& key, const std::string& query = {}) const {
    if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
      throw Error(Failure::failed, "invalid object key '" + key + "'");
    }
    auto url = account_.endpoint + "/" + location_.container + "/" +
               url_escape_path(blob_name(key)) + (query.empty() ? "" : "?" + query);
    return with_sas(std::move(url), !query.empty());
  }

  std::string container_url(const std::string& query) const {
    return with_sas(account_.endpoint + "/" + location_.container + "?" + query, true);
  }

  // A request that carries the API version and, with an account key, is signed afresh before
  // every attempt (x-ms-date must be within 15 minutes of the server's clock).
  HttpRequest request(const std::string& method, const std::string& url) const {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers.emplace_back("x-ms-version", k_api_version);
    if (!account_.key.empty()) {
      request.sign = [name = account_.name, key = account_.key](HttpRequest& attempt) {
        sign_shared_key(attempt, name, key, std::chrono::system_clock::now());
      };
    }
    return request;
  }

  HttpResponse perform(HttpRequest request) {
    if (account_error_) {
      throw *account_error_;
    }
    return engine_.perform(std::move(request));
  }

  bool fetch(const std::string& key, HttpRequest get) {
    const auto response = perform(std::move(get));
    if (response.status == 200 || response.status == 206) {
      return true;
    }
    if (response.status == 404 && !is_container_missing(response)) {
      return false;
    }
    throw failure("cannot read " + key, response);
  }

  void put_blob(const std::string& key, Body body) {
    auto put = request("PUT", blob_url(key));
    put.headers.emplace_back("x-ms-blob-type", "BlockBlob");
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    put.body = body;
    const auto response = perform(std::move(put));
    if (response.status != 201) {
      throw failure("cannot write " + key, response);
    }
  }

  // Uploads `size` bytes as blocks of block_size_ (slices from `slice`), then commits them in
  // order with Put Block List: the blob appears whole, or not at all.
  template <typename Slice>
  void put_blocks(const std::string& key, std::uint64_t size, const Slice& slice) {
    const auto count = (size + block_size_ - 1) / block_size_;
    if (count > k_max_blocks) {
      throw Error(Failure::invalid_input,
                  display_url_ + ": " + key + " would need " + std::to_string(count) +
                      " blocks, more than Azure's 50000",
                  "raise remote.NAME.block_size");
    }
    std::vector<std::string> ids;
    ids.reserve(count);
    for (std::uint64_t index = 0; index < count; ++index) {
      // Block ids of one blob must all have the same length.
      std::array<char, 24> name{};
      std::snprintf(name.data(), name.size(), "mlv-block-%06llu",
                    static_cast<unsigned long long>(index));
      ids.push_back(base64_encode(name.data()));
      const auto offset = index * block_size_;
      auto put = request("PUT", blob_url(key, "comp=block&blockid=" + url_escape(ids.back())));
      put.headers.emplace_back("Content-Type", "application/octet-stream");
      put.body = slice(offset, std::min(block_size_, size - offset));
      const auto response = perform(std::move(put));
      if (response.status != 201) {
        throw failure("cannot write block " + std::to_string(index) + " of " + key, response);
      }
    }
    const auto xml = block_list_xml(ids);
    auto commit = request("PUT", blob_url(key, "comp=blocklist"));
    commit.headers.emplace_back("Content-Type", "application/xml");
    commit.body = Body::of(xml);
    const auto response = perform(std::move(commit));
    if (response.status != 201) {
      throw failure("cannot commit the blocks of " + key, response);
    }
  }

  static std::string azure_code(const HttpResponse& response) {
    if (const auto it = response.headers.find("x-ms-error-code"); it != response.headers.end()) {
      return it->second;
    }
    return error_code(response.body);
  }

  static bool is_container_missing(const HttpResponse& response) {
    return azure_code(response) == "ContainerNotFound";
  }

  // One clear error per failed response. Only the status and Azure's error code are shown: the
  // body's details may echo a signature.
  Error failure(const std::string& what, const HttpResponse& response) const {
    const auto code = azure_code(response);
    const auto status =
        "HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code);
    if (code == "ContainerNotFound") {
      return Error(Failure::remote,
                   display_url_ + ": container '" + location_.container + "' does not exist at " +
                       account_.endpoint + " (" + status + ")",
                   "create the container (e.g. `az storage container create --name " +
                       location_.container + "`) or correct the remote's URL");
    }
    if (response.status == 401 || response.status == 403) {
      const std::string using_credential = !account_.key.empty()   ? "the account key"
                                           : !account_.sas.empty() ? "the SAS token"
                                                                   : "no credentials";
      return Error(Failure::remote,
                   display_url_ + ": " + what + ": access denied using " + using_credential +
                       " for account '" + account_.name + "' (" + status + ")",
                   "check remote.NAME.account_key, sas_token or connection_string in "
                   ".mlv/config.local (or AZURE_STORAGE_*); a SAS must allow read, add, create, "
                   "write, delete and list, and must not have expired");
    }
    return Error(Failure::remote, display_url_ + ": " + what + " (" + status + ")",
                 "check the remote's endpoint and that the service is healthy, then try again");
  }

  Location location_;
  Account account_;
  std::optional<Error> account_error_;
  std::string display_url_;
  std::uint64_t max_single_put_;
  std::uint64_t block_size_;
  std::uint64_t list_page_size_;
  HttpEngine engine_;
};

} // namespace

std::unique_ptr<ObjectStore> make_azure_store(const std::string& url, const Options& options) {
  auto location = parse_url(url);
  Account account;
  std::optional<Error> account_error;
  try {
    account = resolve_account(options, process_environment());
  } catch (const Error& error) {
    account_error = error;
  }
  return std::make_unique<AzureStore>(std::move(location), std::move(account),
                                      std::move(account_error), options);
}

} // namespace mlv::remote
