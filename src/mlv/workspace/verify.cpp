#include <mlv/hash/sha256.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/status.hpp>
#include <mlv/workspace/verify.hpp>

#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

class Verifier {
public:
  explicit Verifier(cache::Cache& cache) : cache_(cache) {}

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

  void tracked(Context& context, const Tracked& item) {
    const auto data = context.absolute(item.data_path);
    if (const auto mismatch = recorded_size_mismatch(cache_, item.pointer)) {
      report_.problems.push_back(
          {VerifyProblem::Kind::mismatch, item.pointer_path, "pointer " + *mismatch});
    }
    if (item.pointer.kind == pointer::Kind::file) {
      object(item.pointer.sha256, item.pointer_path);
      workspace_file(data, item.data_path, item.pointer.sha256);
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
      object(entry.id, item.pointer_path);
      workspace_file(data / entry.path, item.data_path + "/" + entry.path, entry.id);
    }
  }

  VerifyReport take() { return std::move(report_); }

private:
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
  std::set<std::string> checked_objects_;
  VerifyReport report_;
};

} // namespace

VerifyReport verify(Context& context, const std::vector<Tracked>& tracked) {
  Verifier verifier(context.cache());
  for (const auto& item : tracked) {
    verifier.tracked(context, item);
  }
  return verifier.take();
}

} // namespace mlv::workspace
