#include <mlv/remote/http_engine.hpp>
#include <mlv/remote/http_remote_config.hpp>
#include <mlv/remote/http_store.hpp>
#include <mlv/remote/webdav_multistatus.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <cstdio>
#include <future>
#include <mutex>
#include <random>
#include <set>

namespace mlv::remote {

namespace {

namespace fs = std::filesystem;

// Temporary names of objects being written; listings leave them out.
constexpr std::string_view k_temp_prefix = ".mlv-tmp-";
constexpr const char* k_propfind_body =
    R"(<?xml version="1.0" encoding="utf-8"?>)"
    R"(<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/>)"
    R"(<D:getlastmodified/></D:prop></D:propfind>)";

bool is_not_found(long status) {
  return status == 404 || status == 410;
}
// What servers answer a PUT into a folder that does not exist (nginx 409, some 404 or 405).
bool is_missing_folder(long status) {
  return status == 409 || status == 404 || status == 405;
}

std::string parent_of(const std::string& key) {
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

std::string name_of(const std::string& key) {
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

std::string random_suffix() {
  thread_local std::mt19937_64 generator(std::random_device{}());
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(generator()));
  return text;
}

class HttpStore final : public ObjectStore {
public:
  HttpStore(HttpRemoteConfig config, const Options& options)
      : config_(std::move(config)), engine_(http_options(options, config_.display_url)) {}

  bool exists(const std::string& key) override {
    const auto response = send("HEAD", key);
    if (is_not_found(response.status)) {
      return false;
    }
    if (!is_success(response.status)) {
      throw failure("cannot check " + key, response);
    }
    return true;
  }

  bool get(const std::string& key, const Sink& sink) override {
    auto request = make_request("GET", key);
    request.sink = sink;
    return finish_get(key, engine_.perform(std::move(request)));
  }

  bool get_range(const std::string& key, const Range& range, const Sink& sink) override {
    if (range.length == 0) {
      return exists(key);
    }
    auto request = make_request("GET", key);
    request.range = range;
    request.sink = sink;
    return finish_get(key, engine_.perform(std::move(request)));
  }

  void put_file(const std::string& key, const fs::path& source) override {
    std::error_code error;
    const auto size = fs::file_size(source, error);
    if (error) {
      throw Error(Failure::failed, errno_message("cannot read", source.string(), error.value()));
    }
    write(key, Body::of_file(source, 0, size));
  }

  void put(const std::string& key, std::span<const std::byte> bytes) override {
    write(key, Body::of(bytes));
  }

  std::vector<ObjectInfo> list(const std::string& prefix) override {
    std::vector<ObjectInfo> objects;
    std::vector<std::string> folders = {parent_of(prefix)};
    // One PROPFIND (Depth: 1) per folder, a level of the tree at a time, several at once.
    while (!folders.empty()) {
      std::vector<std::string> next;
      const std::size_t batch = std::max(1u, engine_.options().max_connections);
      for (std::size_t first = 0; first < folders.size(); first += batch) {
        std::vector<std::future<std::vector<DavEntry>>> pending;
        for (std::size_t i = first; i < std::min(folders.size(), first + batch); ++i) {
          pending.push_back(std::async(std::launch::async,
                                       [this, &folders, i] { return list_folder(folders[i]); }));
        }
        for (std::size_t i = 0; i < pending.size(); ++i) {
          for (const auto& entry : pending[i].get()) {
            add_member(entry, folders[first + i], prefix, objects, next);
          }
        }
      }
      folders = std::move(next);
    }
    std::sort(objects.begin(), objects.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return objects;
  }

  void remove(const std::string& key) override {
    const auto response = send("DELETE", key);
    if (!is_success(response.status) && !is_not_found(response.status)) {
      throw failure("cannot delete " + key, response);
    }
  }

  std::string display_url() const override { return config_.display_url; }

  StoreCounters counters() const override {
    const auto counted = engine_.counters();
    return {counted.requests, counted.retries};
  }

private:
  // The object's URL below the remote's; keys come from mlv, but a bad one must not escape.
  std::string url_of(const std::string& key) const {
    if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
      throw Error(Failure::failed, "invalid object key '" + key + "'");
    }
    return config_.base_url + url_escape_path(key);
  }

  HttpRequest make_request(const std::string& method, const std::string& key) const {
    HttpRequest request;
    request.method = method;
    request.url = key.empty() ? config_.base_url : url_of(key);
    request.headers = config_.headers;
    return request;
  }

  HttpResponse send(const std::string& method, const std::string& key, Headers extra = {}) {
    auto request = make_request(method, key);
    request.headers.insert(request.headers.end(), extra.begin(), extra.end());
    return engine_.perform(std::move(request));
  }

  bool finish_get(const std::string& key, const HttpResponse& response) const {
    if (is_not_found(response.status)) {
      return false;
    }
    if (response.status == 416) {
      throw Error(Failure::corrupt,
                  config_.display_url + ": object " + key +
                      " is shorter than expected (truncated?)",
                  "the remote copy is damaged; push it again from a machine that has it");
    }
    if (!is_success(response.status)) {
      throw failure("cannot read " + key, response);
    }
    return true;
  }

  // --- writing ---------------------------------------------------------------------------------

  void write(const std::string& key, const Body& body) {
    url_of(key); // rejects a bad key before any request
    probe_webdav();
    if (!can_move_) {
      // A server without MOVE: the object appears under its name as it is written.
      put_object(key, body);
      return;
    }
    // Folders first: nginx answers a PUT into a missing folder with 500, which is retried as a
    // server failure, and any server would make us send the body twice.
    make_folders(parent_of(key));
    const auto temp =
        parent_of(key) + std::string(k_temp_prefix) + name_of(key) + "." + random_suffix();
    put_object(temp, body);
    move_object(temp, key);
  }

  void put_object(const std::string& key, const Body& body) {
    auto request = make_request("PUT", key);
    request.body = body;
    auto response = engine_.perform(request);
    if (is_missing_folder(response.status) && webdav_) {
      // A folder we made may have been deleted since.
      forget_folders(parent_of(key));
      make_folders(parent_of(key));
      response = engine_.perform(request);
    }
    if (!is_success(response.status)) {
      throw write_failure(key, response);
    }
  }

  void move_object(const std::string& from, const std::string& to) {
    const auto response = send("MOVE", from, {{"Destination", url_of(to)}, {"Overwrite", "T"}});
    if (is_success(response.status)) {
      return;
    }
    // A retried MOVE whose first attempt went through finds its source gone.
    if (is_not_found(response.status) && exists(to)) {
      return;
    }
    try {
      remove(from);
    } catch (const Error&) {
      // The temporary object is garbage either way; the MOVE's failure is what to report.
    }
    throw write_failure(to, response);
  }

  // MKCOL of `folder` (relative, ends with '/') and every folder above it, down from the
  // remote's own; each one once per process.
  void make_folders(const std::string& folder) {
    std::size_t end = 0;
    while (true) {
      const auto level = folder.substr(0, end);
      if (!folder_known(level) && !(level.empty() && config_.base_path == "/")) {
        const auto response = send("MKCOL", level);
        // 405: it exists already (nginx, Apache); 201 created.
        if (!is_success(response.status) && response.status != 405) {
          throw failure("cannot create the folder " +
                            (level.empty() ? std::string("of the remote") : level),
                        response);
        }
        std::lock_guard lock(folders_mutex_);
        known_folders_.insert(level);
      }
      if (end >= folder.size()) {
        return;
      }
      end = folder.find('/', end) + 1;
    }
  }

  void forget_folders(const std::string& folder) {
    std::lock_guard lock(folders_mutex_);
    std::erase_if(known_folders_,
                  [&](const std::string& known) { return folder.starts_with(known); });
  }

  bool folder_known(const std::string& folder) {
    std::lock_guard lock(folders_mutex_);
    return known_folders_.contains(folder);
  }

  // Whether the server speaks WebDAV (OPTIONS answers a DAV header) and allows MOVE; asked once.
  void probe_webdav() {
    std::call_once(probe_once_, [this] {
      const auto response = send("OPTIONS", "");
      if (response.status == 401 || response.status == 403) {
        throw failure("cannot ask which methods the server allows", response);
      }
      const auto dav = response.headers.find("dav");
      webdav_ = is_success(response.status) && dav != response.headers.end();
      const auto allow = response.headers.find("allow");
      can_move_ = webdav_ && (allow == response.headers.end() ||
                              allow->second.find("MOVE") != std::string::npos);
    });
  }

  // --- listing ---------------------------------------------------------------------------------

  std::vector<DavEntry> list_folder(const std::string& folder) {
    auto request = make_request("PROPFIND", folder);
    request.headers.emplace_back("Depth", "1");
    request.headers.emplace_back("Content-Type", "application/xml; charset=utf-8");
    request.body = Body::of(std::string_view(k_propfind_body));
    const auto response = engine_.perform(std::move(request));
    if (is_not_found(response.status)) {
      return {};
    }
    if (response.status == 401 || response.status == 403) {
      throw failure("cannot list " + (folder.empty() ? "/" : folder), response);
    }
    if (response.status != 207) {
      throw Error(Failure::remote,
                  config_.display_url + ": cannot list " + (folder.empty() ? "/" : folder) +
                      ": listing needs WebDAV (PROPFIND), and the server answered " +
                      describe_status(response),
                  "use a WebDAV server for this remote (nginx with dav_ext, Apache mod_dav); "
                  "pull and push of known versions work without listings");
    }
    auto entries = parse_multistatus(response.body);
    if (!entries) {
      throw Error(Failure::remote,
                  config_.display_url + ": the listing of " + (folder.empty() ? "/" : folder) +
                      " is not WebDAV multistatus XML",
                  "check that the URL points at a WebDAV folder");
    }
    return std::move(*entries);
  }

  // Sorts one PROPFIND member of `folder` into the objects under `prefix` or the folders to
  // list next.
  void add_member(const DavEntry& entry,
                  const std::string& folder,
                  const std::string& prefix,
                  std::vector<ObjectInfo>& objects,
                  std::vector<std::string>& folders) const {
    if (!entry.path.starts_with(config_.base_path)) {
      return;
    }
    auto relative = entry.path.substr(config_.base_path.size());
    if (entry.collection) {
      if (!relative.empty() && relative.back() != '/') {
        relative += '/';
      }
      if (relative.size() > folder.size() && relative.starts_with(folder) &&
          (relative.starts_with(prefix) || prefix.starts_with(relative))) {
        folders.push_back(relative);
      }
      return;
    }
    if (relative.starts_with(prefix) && !name_of(relative).starts_with(k_temp_prefix)) {
      objects.push_back({relative, entry.size, entry.mtime});
    }
  }

  // --- errors ----------------------------------------------------------------------------------

  Error failure(const std::string& what, const HttpResponse& response) const {
    const auto where = config_.display_url + ": " + what + ": ";
    if (response.status == 401) {
      return Error(Failure::remote,
                   where + "the server refused access with " + config_.auth + " (HTTP 401)",
                   "set the credentials with `mlv config --local remote.NAME.user USER` and `mlv "
                   "config --local remote.NAME.password PASSWORD` (or remote.NAME.token)");
    }
    if (const auto location = response.headers.find("location");
        response.status >= 300 && response.status < 400 && location != response.headers.end()) {
      return Error(Failure::remote,
                   where + "the server redirects to " + redact_url(location->second) + " (HTTP " +
                       std::to_string(response.status) + ")",
                   "set the remote's URL to where the server points: `mlv remote modify NAME url "
                   "URL`");
    }
    if (response.status == 403) {
      return Error(Failure::remote, where + "access denied (HTTP 403)",
                   "check that these credentials may use this folder on the server");
    }
    return Error(Failure::remote, where + describe_status(response),
                 "check the remote's URL and the server's log");
  }

  Error write_failure(const std::string& key, const HttpResponse& response) const {
    if (response.status == 405 || response.status == 501 || (response.status == 409 && !webdav_)) {
      return Error(Failure::remote,
                   config_.display_url + ": the server refused writes (" +
                       describe_status(response) + " for PUT " + key + ")",
                   "this URL is read-only: push to a WebDAV server that allows PUT, MKCOL and "
                   "MOVE (see docs/remote-http.md)");
    }
    if (response.status == 413) {
      return Error(Failure::remote,
                   config_.display_url + ": the server refused " + key + " as too large (HTTP 413)",
                   "raise the server's upload limit (nginx: client_max_body_size 0), or lower "
                   "transfer.pack_size");
    }
    return failure("cannot write " + key, response);
  }

  HttpRemoteConfig config_;
  HttpEngine engine_;
  std::once_flag probe_once_;
  bool webdav_ = false;
  bool can_move_ = false;
  std::mutex folders_mutex_;
  std::set<std::string> known_folders_;
};

} // namespace

std::unique_ptr<ObjectStore> make_http_store(const std::string& url, const Options& options) {
  return std::make_unique<HttpStore>(http_remote_config(url, options), options);
}

} // namespace mlv::remote
