#pragma once

#include <cstddef>
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

// A byte range of an object.
struct Range {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::int64_t mtime = 0; // seconds since the epoch; 0 when unknown
};

// What a store's transport did: requests (retries included) and retries. Zero for a folder.
struct StoreCounters {
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
};

// Receives an object's bytes in order, in blocks.
using Sink = std::function<void(std::span<const std::byte>)>;

// One object store: the only thing a backend implements. Keys are '/'-separated paths below the
// remote's URL (e.g. "packs/ab/ab12..."). Objects are immutable once written. Methods are called
// from several threads at once. Failures throw Error(remote) naming the URL (secrets redacted);
// "not found" is a value, never an exception.
class ObjectStore {
public:
  virtual ~ObjectStore() = default;

  // Whether the object exists.
  virtual bool exists(const std::string& key) = 0;
  // Streams the whole object into `sink`; false when it does not exist.
  virtual bool get(const std::string& key, const Sink& sink) = 0;
  // Streams one byte range into `sink`; false when the object does not exist.
  virtual bool get_range(const std::string& key, const Range& range, const Sink& sink) = 0;
  // Writes an object from a local file; readers never see a partial object.
  virtual void put_file(const std::string& key, const std::filesystem::path& source) = 0;
  virtual void put(const std::string& key, std::span<const std::byte> bytes) = 0;
  // Objects whose keys start with `prefix`.
  virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;
  // Deletes an object; deleting a missing object is not an error.
  virtual void remove(const std::string& key) = 0;
  // Whether the place the remote's URL names exists: false for a folder that is not there. A
  // network backend answers a missing bucket or container with Error(remote) on its first
  // request instead, so it returns true.
  virtual bool location_exists() { return true; }
  // The remote's URL for messages, with any secret redacted.
  virtual std::string display_url() const = 0;
  // Requests and retries so far (network backends count them; others leave them zero).
  virtual StoreCounters counters() const { return {}; }
};

// Options of a configured remote (`remote.<name>.<option>`), passed to the backend's factory.
using Options = std::map<std::string, std::string>;

// An option's value; nothing when it is absent or empty (an empty value counts as unset).
std::optional<std::string> option_text(const Options& options, const std::string& name);

// Opens the store for a URL by its scheme: a plain path or file:// (local folder). Throws
// Error(bad_input) for an unknown scheme or a malformed URL, naming it.
std::unique_ptr<ObjectStore> open_store(const std::string& url, const Options& options);

// The URL with user-info, keys, tokens and SAS strings replaced by "***".
std::string redact_url(const std::string& url);

} // namespace mlv::remote
