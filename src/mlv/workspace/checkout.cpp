#include <mlv/transfer/meter.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/checkout.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/materialize.hpp>
#include <mlv/workspace/status.hpp>

#include <map>
#include <memory>
#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// One change to the workspace. Every change of a command is planned, and every conflict found,
// before the first one is made: a refused checkout leaves the workspace as it was.
// Paths are kept as text: a folder of 100,000 files plans 100,000 steps, and an fs::path holds
// each of its components too.
struct Step {
  enum class Kind { write_file, remove_file, make_folder };
  Step(Kind what, const fs::path& where, std::size_t result_index)
      : kind(what), path(where.string()), result(result_index) {}
  Kind kind;
  std::string path;
  std::size_t result = 0; // index into the results
  std::string id;         // write_file
  bool executable = false;
  std::string shown;      // write_file: as the user knows it
  std::uint64_t size = 0; // write_file: bytes, for the progress meter
  // remove_file of a file inside a tracked folder: the folder, and the folders inside it that its
  // listing keeps (those of its files and its empty folders); the others that the removal leaves
  // empty go too, as git removes the folders it empties.
  std::string top;
  std::shared_ptr<const std::set<fs::path>> kept_folders;
};

class Checkout {
public:
  Checkout(Context& context, const CheckoutOptions& options)
      : context_(context), cache_(context.cache()), options_(options),
        order_(parse_link_types(context.config().get_or("cache.type", k_default_link_types))),
        gate_(context.config(), options.safety), meter_(options.progress) {}

  void plan(const Tracked& item) {
    if (!in_cache(cache_, item.pointer)) {
      if (!options_.skip_missing) {
        missing_.push_back(item.pointer_path);
      }
      return;
    }
    const auto data = context_.absolute(item.data_path);
    results_.push_back({item.data_path, false, {}});
    if (item.pointer.kind == pointer::Kind::dir) {
      plan_dir(item, data);
    } else {
      swept_.push_back(data.string());
      plan_file(item.pointer.sha256, item.pointer.size, data, false, item.data_path);
    }
  }

  // Refuses before any write when content would be lost; then makes every change, and reports
  // what the cache lacked.
  std::vector<CheckoutResult> apply() {
    // Leftovers of an interrupted checkout (a Ctrl-C that could not clean up, a kill -9): mlv's
    // own, so they go even when this checkout refuses.
    sweep_temporaries(std::move(swept_));
    if (!conflicts_.empty()) {
      throw Error(Failure::conflict,
                  "not overwriting workspace content that is not saved in the cache:" +
                      list(conflicts_),
                  "`mlv add` it to keep it, or re-run with " + option_ref("--force") +
                      " to discard it; nothing was written");
    }
    plan_meter();
    for (const auto& step : steps_) {
      run(step);
    }
    gate_.finish();
    if (!missing_.empty()) {
      throw Error(Failure::not_found,
                  "the cache lacks the data these pointers name:" + list(missing_),
                  "run `mlv pull` (or `mlv fetch`) to download it from the remote");
    }
    return results_;
  }

private:
  static std::string list(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) {
      text += "\n  " + line;
    }
    return text;
  }

  // Sizes the meter's work from the planned writes, before the first one.
  void plan_meter() {
    if (!options_.progress) {
      return;
    }
    meter_.update([&](transfer::Stats& stats) {
      for (const auto& step : steps_) {
        if (step.kind == Step::Kind::write_file) {
          ++stats.files_planned;
          stats.bytes_planned += step.size;
        }
      }
    });
  }

  void file_done(std::uint64_t size) {
    if (options_.progress) {
      meter_.update([size](transfer::Stats& stats) {
        ++stats.files_done;
        stats.bytes_done += size;
      });
    }
  }

  bool would_lose(const fs::path& path) {
    return !options_.force && would_lose_content(cache_, path);
  }

  void plan_file(const std::string& id,
                 std::uint64_t size,
                 const fs::path& data,
                 bool executable,
                 const std::string& shown) {
    const auto plan = plan_file_placement(cache_, data, id, options_.force);
    if (plan == FilePlan::unchanged) {
      return;
    }
    if (plan == FilePlan::conflict) {
      conflicts_.push_back(shown);
      return;
    }
    Step step{Step::Kind::write_file, data, results_.size() - 1};
    step.id = id;
    step.executable = executable;
    step.shown = shown;
    step.size = size;
    steps_.push_back(std::move(step));
  }

  void plan_dir(const Tracked& item, const fs::path& data) {
    const auto listing = *cache_.read_dir(item.pointer.sha256);
    const auto result = results_.size() - 1;
    std::error_code error;
    if (fs::exists(data, error) && !fs::is_directory(data, error)) {
      if (would_lose(data)) {
        conflicts_.push_back(item.data_path);
        return;
      }
      steps_.emplace_back(Step::Kind::remove_file, data, result);
    } else if (fs::is_directory(data, error)) {
      plan_unlisted(data, listing, item.data_path, result);
    }
    for (const auto& entry : listing.entries) {
      swept_.push_back((data / entry.path).string());
      plan_file(entry.id, entry.size, data / entry.path, entry.executable,
                item.data_path + "/" + entry.path);
    }
    for (const auto& folder : listing.empty_dirs) {
      if (fs::is_directory(data / folder, error)) {
        continue;
      }
      if (fs::exists(data / folder, error)) {
        if (would_lose(data / folder)) {
          conflicts_.push_back(item.data_path + "/" + folder);
          continue;
        }
        steps_.emplace_back(Step::Kind::remove_file, data / folder, result);
      }
      steps_.emplace_back(Step::Kind::make_folder, data / folder, result);
    }
  }

  // Files in the folder that the listing does not name go, unless they are unsaved work or the
  // temporaries of an interrupted checkout of a listed file (the sweep removes those).
  void plan_unlisted(const fs::path& folder,
                     const cache::DirListing& listing,
                     const std::string& shown,
                     std::size_t result) {
    std::set<std::string> listed;
    for (const auto& entry : listing.entries) {
      listed.insert(entry.path);
    }
    const auto kept = kept_folders(folder, listing);
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_directory(error) && !it->is_symlink(error)) {
        continue;
      }
      const auto relative = it->path().lexically_relative(folder);
      if (listed.contains(relative.generic_string()) || is_temporary_of_listed(relative, listed)) {
        continue;
      }
      if (would_lose(it->path())) {
        conflicts_.push_back(shown + "/" + relative.generic_string());
      } else {
        auto& step = steps_.emplace_back(Step::Kind::remove_file, it->path(), result);
        step.top = folder.string();
        step.kept_folders = kept;
      }
    }
  }

  // The folders inside `folder` that its listing needs: those holding its files, its empty
  // folders, and the folders between.
  static std::shared_ptr<const std::set<fs::path>> kept_folders(const fs::path& folder,
                                                                const cache::DirListing& listing) {
    auto kept = std::make_shared<std::set<fs::path>>();
    const auto keep_up_from = [&](fs::path relative) {
      for (; !relative.empty(); relative = relative.parent_path()) {
        if (!kept->insert(folder / relative).second) {
          return; // its parents are in already
        }
      }
    };
    for (const auto& entry : listing.entries) {
      keep_up_from(fs::path(entry.path).parent_path());
    }
    for (const auto& empty : listing.empty_dirs) {
      keep_up_from(fs::path(empty));
    }
    return kept;
  }

  // Removes the folders above a removed file, up to the tracked folder, while they are empty and
  // the listing does not keep them.
  static void remove_emptied_folders(const Step& step) {
    std::error_code error;
    const fs::path top = step.top;
    for (auto folder = fs::path(step.path).parent_path();
         folder != top && folder.native().size() > top.native().size() &&
         !step.kept_folders->contains(folder);
         folder = folder.parent_path()) {
      if (!fs::is_empty(folder, error) || error || !fs::remove(folder, error)) {
        return;
      }
    }
  }

  static bool is_temporary_of_listed(const fs::path& relative,
                                     const std::set<std::string>& listed) {
    const auto target = temporary_target(relative.filename().string());
    return target && listed.contains((relative.parent_path() / *target).generic_string());
  }

  void run(const Step& step) {
    std::error_code error;
    const fs::path path = step.path;
    auto& result = results_[step.result];
    switch (step.kind) {
    case Step::Kind::write_file: {
      if (!gate_.admit(cache_.file_path(step.id), step.shown)) {
        return;
      }
      if (fs::is_directory(path, error) && !fs::is_symlink(path, error)) {
        fs::remove_all(path, error);
      }
      const auto type = materialize(cache_, step.id, path, step.executable, order_);
      if (const auto stamp = util::stat_file(path, true)) {
        cache_.state().record_file_id(path, *stamp, step.id);
      }
      result.updated = true;
      result.link = link_type_name(type);
      file_done(step.size);
      return;
    }
    case Step::Kind::remove_file:
      fs::remove(path, error);
      result.updated = true;
      if (step.kept_folders) {
        remove_emptied_folders(step);
      }
      return;
    case Step::Kind::make_folder:
      util::make_directories(path);
      result.updated = true;
      return;
    }
  }

  Context& context_;
  cache::Cache& cache_;
  CheckoutOptions options_;
  std::vector<LinkType> order_;
  SafetyGate gate_;
  transfer::Meter meter_;
  std::vector<CheckoutResult> results_;
  std::vector<Step> steps_;
  std::vector<std::string> swept_; // workspace files whose stale temporaries are removed
  std::vector<std::string> conflicts_;
  std::vector<std::string> missing_;
};

} // namespace

bool would_lose_content(cache::Cache& cache, const fs::path& path) {
  auto& env = cache.env();
  const auto info = env.stat(path);
  if (!info) {
    return false;
  }
  if (info->type == util::Env::Type::directory) {
    return !env.list_directory(path).empty();
  }
  return !cache.has_file(identify_file(cache, path, false).id);
}

FilePlan
plan_file_placement(cache::Cache& cache, const fs::path& data, const std::string& id, bool force) {
  const auto info = cache.env().stat(data);
  if (info && info->type == util::Env::Type::file && identify_file(cache, data, false).id == id) {
    return FilePlan::unchanged;
  }
  return !force && would_lose_content(cache, data) ? FilePlan::conflict : FilePlan::write;
}

void check_distinct_data_paths(const std::vector<Tracked>& tracked) {
  std::map<std::string, std::vector<std::string>> pointers_by_data;
  for (const auto& item : tracked) {
    pointers_by_data[item.data_path].push_back(item.pointer_path);
  }
  std::string list;
  for (const auto& [data, pointers] : pointers_by_data) {
    if (pointers.size() < 2) {
      continue;
    }
    list += "\n  " + data + " is named by";
    for (const auto& pointer : pointers) {
      list += " " + pointer;
    }
  }
  if (!list.empty()) {
    throw Error(Failure::invalid_input, "more than one pointer names the same data path:" + list,
                "keep one pointer per path: delete the copies (`git rm COPY.mlv`), or `mlv add` "
                "the data under another name; nothing was written");
  }
}

std::vector<CheckoutResult>
checkout(Context& context, const std::vector<Tracked>& tracked, const CheckoutOptions& options) {
  check_distinct_data_paths(tracked);
  check_recorded_sizes(context.cache(), tracked);
  const auto lock = context.lock_workspace();
  Checkout run(context, options);
  for (const auto& item : tracked) {
    run.plan(item);
  }
  return run.apply();
}

} // namespace mlv::workspace
