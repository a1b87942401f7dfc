#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/meter.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/status.hpp>
#include <mlv/workspace/verify.hpp>

#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// The size of the regular file at `path` (following links), or nullopt when there is none.
std::optional<std::uint64_t> regular_file_size(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return std::nullopt;
  }
  const auto stamp = util::stat_file(path, true);
  return stamp ? stamp->size : 0;
}

// The files of a tracked path and the bytes verify will hash for them, from the pointers, the
// listings and the workspace's folder entries (no read), so a progress meter can show an ETA.
void plan_meter(Context& context, const std::vector<Tracked>& tracked, transfer::Stats& stats) {
  auto& cache = context.cache();
  std::set<std::string> objects;
  const auto plan_file = [&](const std::string& id, const fs::path& data) {
    ++stats.files_planned;
    if (objects.insert(id).second) {
      if (const auto info = cache.env().stat(cache.file_path(id))) {
        stats.bytes_planned += info->size;
      }
    }
    stats.bytes_planned += regular_file_size(data).value_or(0);
  };
  for (const auto& item : tracked) {
    const auto data = context.absolute(item.data_path);
    if (item.pointer.kind == pointer::Kind::file) {
      plan_file(item.pointer.sha256, data);
    } else if (const auto listing = cache.read_dir(item.pointer.sha256)) {
      for (const auto& entry : listing->entries) {
        plan_file(entry.id, data / entry.path);
      }
    }
  }
}

class Verifier {
public:
  Verifier(cache::Cache& cache, transfer::Meter& meter, bool metered)
      : cache_(cache), meter_(meter), metered_(metered) {}

  void tracked(Context& context, const Tracked& item) {
    const auto data = context.absolute(item.data_path);
    if (const auto mismatch = recorded_size_mismatch(cache_, item.pointer)) {
      report_.problems.push_back(
          {VerifyProblem::Kind::mismatch, item.pointer_path, "pointer " + *mismatch});
    }
    if (item.pointer.kind == pointer::Kind::file) {
      file(item.pointer.sha256, item.pointer_path, data, item.data_path);
      return;
    }
    const auto listing_path =
        cache_.root() / "dirs" / item.pointer.sha256.substr(0, 2) / item.pointer.sha256;
    const auto listing = cache_.read_dir(item.pointer.sha256);
    if (!listing) {
      report_.problems.push_back(
          {VerifyProblem::Kind::missing, listing_path.string(),
           "dir listing not in the cache (needed by " + item.pointer_path + ")"});
      return;
    }
    if (cache::dir_listing_id(*listing) != item.pointer.sha256) {
      report_.problems.push_back({VerifyProblem::Kind::mismatch, listing_path.string(),
                                  "dir listing does not match its id " + item.pointer.sha256});
    }
    for (const auto& entry : listing->entries) {
      file(entry.id, item.pointer_path, data / entry.path, item.data_path + "/" + entry.path);
    }
  }

  VerifyReport take() { return std::move(report_); }

private:
  // A file: its cache object (unless checked already) and its workspace copy (when present).
  void file(const std::string& id,
            const std::string& needed_by,
            const fs::path& path,
            const std::string& shown) {
    const auto before = report_.bytes_hashed;
    object(id, needed_by);
    workspace_file(path, shown, id);
    if (metered_) {
      const auto hashed = report_.bytes_hashed - before;
      meter_.update([hashed](transfer::Stats& stats) {
        ++stats.files_done;
        stats.bytes_done += hashed;
      });
    }
  }

  void object(const std::string& id, const std::string& needed_by) {
    if (!checked_objects_.insert(id).second) {
      return;
    }
    const auto path = cache_.file_path(id);
    if (!cache_.has_file(id)) {
      report_.problems.push_back({VerifyProblem::Kind::missing, path.string(),
                                  "not in the cache (needed by " + needed_by + ")"});
      return;
    }
    ++report_.cache_objects_checked;
    hash(path, id, "cache object does not match its id " + id);
  }

  void workspace_file(const fs::path& path, const std::string& shown, const std::string& id) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
      return;
    }
    ++report_.workspace_files_checked;
    if (hash(path, id, "workspace file does not match its pointer (" + id + ")")) {
      return;
    }
    report_.problems.back().subject = shown;
  }

  // Re-hashes `path`; on a mismatch records a problem and returns false.
  bool hash(const fs::path& path, const std::string& id, const std::string& detail) {
    const auto actual = hash::sha256_file_hex(path);
    if (const auto stamp = util::stat_file(path, true)) {
      report_.bytes_hashed += stamp->size;
    }
    if (actual == id) {
      return true;
    }
    report_.problems.push_back({VerifyProblem::Kind::mismatch, path.string(), detail});
    return false;
  }

  cache::Cache& cache_;
  transfer::Meter& meter_;
  bool metered_;
  std::set<std::string> checked_objects_;
  VerifyReport report_;
};

} // namespace

VerifyReport verify(Context& context,
                    const std::vector<Tracked>& tracked,
                    const transfer::ProgressCallback& progress) {
  transfer::Meter meter(progress);
  if (progress) {
    meter.update([&](transfer::Stats& stats) { plan_meter(context, tracked, stats); });
  }
  Verifier verifier(context.cache(), meter, static_cast<bool>(progress));
  for (const auto& item : tracked) {
    verifier.tracked(context, item);
  }
  return verifier.take();
}

} // namespace mlv::workspace
