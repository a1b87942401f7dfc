#include <mlv/util/error.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/status.hpp>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

bool workspace_matches(cache::Cache& cache, const fs::path& data, const pointer::Pointer& pointer) {
  if (pointer.kind == pointer::Kind::dir) {
    return fs::is_directory(data) &&
           cache::dir_listing_id(identify_dir(cache, data, false)) == pointer.sha256;
  }
  return fs::is_regular_file(data) && identify_file(cache, data, false).id == pointer.sha256;
}

} // namespace

std::string state_key(State state) {
  switch (state) {
  case State::up_to_date:
    return "up_to_date";
  case State::modified:
    return "modified";
  case State::missing:
    return "missing";
  case State::not_in_cache:
    return "not_in_cache";
  case State::not_on_remote:
    return "not_on_remote";
  }
  return "unknown";
}

std::string state_words(State state) {
  switch (state) {
  case State::up_to_date:
    return "up to date";
  case State::modified:
    return "modified";
  case State::missing:
    return "missing from workspace";
  case State::not_in_cache:
    return "not in cache";
  case State::not_on_remote:
    return "not on remote";
  }
  return "unknown";
}

bool in_cache(cache::Cache& cache, const pointer::Pointer& pointer) {
  if (pointer.kind == pointer::Kind::file) {
    return cache.has_file(pointer.sha256);
  }
  const auto listing = cache.read_dir(pointer.sha256);
  if (!listing) {
    return false;
  }
  for (const auto& entry : listing->entries) {
    if (!cache.has_file(entry.id)) {
      return false;
    }
  }
  return true;
}

std::vector<StatusEntry> status(Context& context,
                                const std::vector<Tracked>& tracked,
                                std::optional<transfer::RemoteHandle> remote,
                                unsigned jobs,
                                bool verify_remote) {
  auto& cache = context.cache();
  std::set<std::string> on_remote;
  if (remote) {
    std::set<std::string> file_ids;
    std::set<std::string> dir_ids;
    for (const auto& item : tracked) {
      (item.pointer.kind == pointer::Kind::dir ? dir_ids : file_ids).insert(item.pointer.sha256);
    }
    transfer::open_remote_record(cache, *remote, false);
    on_remote = transfer::present_on_remote(cache, *remote, file_ids, dir_ids, jobs, verify_remote);
  }
  std::vector<StatusEntry> entries;
  for (const auto& item : tracked) {
    StatusEntry entry{item.data_path, std::string(pointer::kind_name(item.pointer.kind)), {}};
    const auto data = context.absolute(item.data_path);
    std::error_code error;
    if (!fs::exists(data, error)) {
      entry.states.push_back(State::missing);
    } else if (!workspace_matches(cache, data, item.pointer)) {
      entry.states.push_back(State::modified);
    }
    if (!in_cache(cache, item.pointer)) {
      entry.states.push_back(State::not_in_cache);
    }
    if (remote && !on_remote.contains(item.pointer.sha256)) {
      entry.states.push_back(State::not_on_remote);
    }
    if (entry.states.empty()) {
      entry.states.push_back(State::up_to_date);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

} // namespace mlv::workspace
