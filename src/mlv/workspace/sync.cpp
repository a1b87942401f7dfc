#include <mlv/config/settings.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/status.hpp>
#include <mlv/workspace/sync.hpp>

#include <set>
#include <thread>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// How far back push looks for earlier versions of a pointer (first-parent commits of HEAD).
constexpr int k_history_depth = 16;
constexpr unsigned k_default_jobs = 4;

bool has_scheme(const std::string& url) {
  return url.find("://") != std::string::npos;
}

transfer::Targets targets_of(const std::vector<Tracked>& tracked) {
  transfer::Targets targets;
  for (const auto& item : tracked) {
    (item.pointer.kind == pointer::Kind::dir ? targets.dir_ids : targets.file_ids)
        .insert(item.pointer.sha256);
    targets.labels.emplace(item.pointer.sha256, item.pointer_path);
  }
  return targets;
}

// Ids of earlier versions of the same pointer paths, so push can reuse their chunks.
// Earlier versions of the tracked files and folders (from git history), for push to learn
// which chunks the remote has already: into targets.history_file_ids and history_dir_ids.
void add_history(Context& context,
                 const std::vector<Tracked>& tracked,
                 transfer::Targets& targets) {
  auto& git = context.git();
  for (int depth = 0; depth < k_history_depth; ++depth) {
    std::string commit;
    try {
      commit = git.resolve_commit("HEAD~" + std::to_string(depth));
    } catch (const Error&) {
      break; // history is shorter, or there is no commit yet
    }
    for (const auto& item : tracked) {
      const auto content = git.read_file(commit, item.pointer_path);
      if (!content) {
        continue;
      }
      try {
        const auto old = pointer::parse_pointer(*content, item.pointer_path);
        if (old.kind != item.pointer.kind) {
          continue;
        }
        if (old.kind == pointer::Kind::file && !targets.file_ids.contains(old.sha256)) {
          targets.history_file_ids.insert(old.sha256);
        } else if (old.kind == pointer::Kind::dir && !targets.dir_ids.contains(old.sha256)) {
          targets.history_dir_ids.insert(old.sha256);
        }
      } catch (const Error&) {
        // An old malformed pointer only means no chunks to reuse from it.
      }
    }
  }
}

transfer::Options transfer_options(const config::Config& config, const SyncRequest& request) {
  transfer::Options options;
  options.jobs = request.jobs > 0 ? request.jobs : default_jobs(config);
  options.progress = request.progress;
  options.verify_remote = request.verify_remote;
  if (const auto size = config.get("transfer.pack_size")) {
    options.pack_size = std::stoull(*size); // get() checked it (config/settings.hpp)
  }
  return options;
}

} // namespace

OpenedRemote
open_remote(const config::Config& config, const std::optional<std::string>& name, unsigned jobs) {
  auto spec = config.choose_remote(name);
  // A network backend keeps as many transfers in flight as the command runs in parallel: -j
  // decides, else the remote's own `jobs` option, else core.jobs.
  if (jobs > 0 || !spec.options.contains("jobs")) {
    spec.options["jobs"] = std::to_string(jobs > 0 ? jobs : default_jobs(config));
  }
  std::string url = spec.url;
  if (!has_scheme(url) && fs::path(url).is_relative()) {
    url = (config.repo_root() / url).lexically_normal().string();
  }
  OpenedRemote opened;
  opened.name = spec.name;
  opened.store = remote::open_store(url, spec.options);
  opened.url = remote::redact_url(url);
  return opened;
}

unsigned default_jobs(const config::Config& config) {
  if (const auto jobs = config.get("core.jobs")) {
    return static_cast<unsigned>(std::stoul(*jobs)); // get() checked it: 1 to 256
  }
  return std::max(k_default_jobs, std::thread::hardware_concurrency());
}

std::vector<Tracked> select_tracked(Context& context, const SyncRequest& request) {
  if (request.revisions.any()) {
    return revision_pointers(context, request.revisions, request.targets);
  }
  return workspace_pointers(context, request.targets);
}

transfer::Stats push(Context& context, const SyncRequest& request) {
  const auto tracked = select_tracked(context, request);
  auto targets = targets_of(tracked);
  add_history(context, tracked, targets);
  if (!request.revisions.any()) {
    for (const auto& item : tracked) {
      if (item.pointer.kind == pointer::Kind::file) {
        targets.workspace_files.emplace(item.pointer.sha256,
                                        context.config().repo_root() / item.data_path);
      }
    }
  }
  auto options = transfer_options(context.config(), request);
  auto remote = open_remote(context.config(), request.remote, options.jobs);
  const auto spec = context.config().choose_remote(request.remote);
  if (const auto level = spec.options.find("compression"); level != spec.options.end()) {
    options.compression_level =
        config::compression_level(level->second, "remote." + spec.name + ".compression");
  }
  return transfer::push(context.cache(), remote.handle(), targets, options);
}

std::optional<Error> missing_on_remote(const std::vector<Tracked>& tracked,
                                       const std::map<std::string, std::string>& missing,
                                       const std::string& remote_url) {
  if (missing.empty()) {
    return std::nullopt;
  }
  std::string list;
  std::size_t count = 0;
  std::set<std::string> listed;
  for (const auto& item : tracked) {
    const auto found = missing.find(item.pointer.sha256);
    if (found == missing.end() || !listed.insert(item.pointer_path).second) {
      continue;
    }
    ++count;
    list += "\n  " + item.pointer_path + " (" + std::string(pointer::kind_name(item.pointer.kind)) +
            " " + item.pointer.sha256 + (found->second.empty() ? "" : ": " + found->second) + ")";
  }
  return Error(Failure::not_found,
               std::to_string(count) + " pointer(s) name data that is not on remote " + remote_url +
                   "; everything else was fetched:" + list,
               "push it from a machine that has it (`mlv push`), or choose another remote with " +
                   option_ref("-r"));
}

FetchResult fetch(Context& context, const SyncRequest& request) {
  const auto tracked = select_tracked(context, request);
  const auto options = transfer_options(context.config(), request);
  auto remote = open_remote(context.config(), request.remote, options.jobs);
  FetchResult result;
  result.stats = transfer::fetch(context.cache(), remote.handle(), targets_of(tracked), options);
  result.incomplete = missing_on_remote(tracked, result.stats.missing, remote.url);
  check_recorded_sizes(context.cache(), tracked);
  return result;
}

PullResult pull(Context& context, const SyncRequest& request, const CheckoutOptions& options) {
  auto workspace_request = request;
  workspace_request.revisions = {};
  const auto workspace_tracked = select_tracked(context, workspace_request);
  check_distinct_data_paths(workspace_tracked); // refused before anything is downloaded
  PullResult result;
  auto fetched = fetch(context, request);
  result.stats = std::move(fetched.stats);
  result.incomplete = std::move(fetched.incomplete);
  auto checkout_options = options;
  // What the remote lacks is reported by the fetch; everything else is still checked out.
  checkout_options.skip_missing = result.incomplete.has_value();
  result.checkout = checkout(context, workspace_tracked, checkout_options);
  return result;
}

} // namespace mlv::workspace
