#include <mlv/transfer/meter.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/checkout.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/materialize.hpp>
#include <mlv/workspace/status.hpp>

#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

class Checkout {
public:
  Checkout(Context& context, const CheckoutOptions& options)
      : context_(context), cache_(context.cache()), options_(options),
        order_(parse_link_types(context.config().get_or("cache.type", k_default_link_types))),
        gate_(context.config(), options.safety), meter_(options.progress) {}

  // Sizes the meter's work from the pointers alone, before the first file.
  void plan(const std::vector<Tracked>& tracked) {
    if (!options_.progress) {
      return;
    }
    meter_.update([&](transfer::Stats& stats) {
      for (const auto& item : tracked) {
        stats.files_planned += item.pointer.files.value_or(1);
        stats.bytes_planned += item.pointer.size;
      }
    });
  }

  void run(const Tracked& item) {
    if (!in_cache(cache_, item.pointer)) {
      missing_.push_back(item.pointer_path);
      return;
    }
    const auto data = context_.absolute(item.data_path);
    CheckoutResult result{item.data_path, false, {}};
    if (item.pointer.kind == pointer::Kind::dir) {
      checkout_dir(item, data, result);
    } else {
      checkout_file(item.pointer.sha256, data, false, item.data_path, result);
      file_done(item.pointer.size);
    }
    results_.push_back(result);
  }

  std::vector<CheckoutResult> finish() {
    gate_.finish();
    if (!conflicts_.empty()) {
      std::string list;
      for (const auto& path : conflicts_) {
        list += "\n  " + path;
      }
      throw Error(ExitCode::conflict,
                  "not overwriting workspace content that is not saved in the cache:" + list,
                  "`mlv add` it to keep it, or re-run with --force to discard it");
    }
    if (!missing_.empty()) {
      std::string list;
      for (const auto& path : missing_) {
        list += "\n  " + path;
      }
      throw Error(ExitCode::missing, "the cache lacks the data these pointers name:" + list,
                  "run `mlv pull` (or `mlv fetch`) to download it from the remote");
    }
    return results_;
  }

private:
  void file_done(std::uint64_t size) {
    if (options_.progress) {
      meter_.update([size](transfer::Stats& stats) {
        ++stats.files_done;
        stats.bytes_done += size;
      });
    }
  }

  // Whether replacing what is at `path` would lose content that exists nowhere else.
  bool would_lose(const fs::path& path) {
    std::error_code error;
    if (options_.force || !fs::exists(path, error)) {
      return false;
    }
    if (fs::is_directory(path, error)) {
      return !fs::is_empty(path, error);
    }
    return !cache_.has_file(identify_file(cache_, path, false).id);
  }

  void checkout_file(const std::string& id,
                     const fs::path& data,
                     bool executable,
                     const std::string& shown,
                     CheckoutResult& result) {
    std::error_code error;
    if (fs::is_regular_file(data, error) && identify_file(cache_, data, false).id == id) {
      return;
    }
    if (would_lose(data)) {
      conflicts_.push_back(shown);
      return;
    }
    if (!gate_.admit(cache_.file_path(id), shown)) {
      return;
    }
    if (fs::is_directory(data, error) && !fs::is_symlink(data, error)) {
      fs::remove_all(data, error);
    }
    const auto type = materialize(cache_, id, data, executable, order_);
    if (const auto stamp = util::stat_file(data, true)) {
      cache_.state().record_file_id(data, *stamp, id);
    }
    result.updated = true;
    result.link = link_type_name(type);
  }

  void checkout_dir(const Tracked& item, const fs::path& data, CheckoutResult& result) {
    const auto listing = *cache_.read_dir(item.pointer.sha256);
    std::error_code error;
    if (fs::exists(data, error) && !fs::is_directory(data, error)) {
      if (would_lose(data)) {
        conflicts_.push_back(item.data_path);
        return;
      }
      fs::remove(data, error);
    }
    std::set<std::string> listed;
    for (const auto& entry : listing.entries) {
      listed.insert(entry.path);
      checkout_file(entry.id, data / entry.path, entry.executable,
                    item.data_path + "/" + entry.path, result);
      file_done(entry.size);
    }
    remove_unlisted(data, listed, item.data_path);
  }

  // Files in the folder that the listing does not name go, unless they are unsaved work.
  void remove_unlisted(const fs::path& folder,
                       const std::set<std::string>& listed,
                       const std::string& shown) {
    std::error_code error;
    std::vector<fs::path> extra;
    for (auto it = fs::recursive_directory_iterator(folder, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_directory(error) &&
          !listed.contains(it->path().lexically_relative(folder).generic_string())) {
        extra.push_back(it->path());
      }
    }
    for (const auto& path : extra) {
      if (would_lose(path)) {
        conflicts_.push_back(shown + "/" + path.lexically_relative(folder).generic_string());
      } else {
        fs::remove(path, error);
      }
    }
  }

  Context& context_;
  cache::Cache& cache_;
  CheckoutOptions options_;
  std::vector<LinkType> order_;
  SafetyGate gate_;
  transfer::Meter meter_;
  std::vector<CheckoutResult> results_;
  std::vector<std::string> conflicts_;
  std::vector<std::string> missing_;
};

} // namespace

std::vector<CheckoutResult>
checkout(Context& context, const std::vector<Tracked>& tracked, const CheckoutOptions& options) {
  const auto lock = context.lock_workspace();
  Checkout run(context, options);
  run.plan(tracked);
  for (const auto& item : tracked) {
    run.run(item);
  }
  return run.finish();
}

} // namespace mlv::workspace
