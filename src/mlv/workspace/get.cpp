#include <mlv/config/config.hpp>
#include <mlv/git/repository.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/get.hpp>
#include <mlv/workspace/materialize.hpp>
#include <mlv/workspace/status.hpp>
#include <mlv/workspace/sync.hpp>
#include <mlv/workspace/tracked.hpp>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// A cache folder that exists only for one `mlv get` outside a repository.
class TemporaryCache {
public:
  explicit TemporaryCache(const fs::path& beside) {
    path_ = util::make_temporary_directory(beside, ".mlv-get-");
    cache_ = std::make_unique<cache::Cache>(path_);
  }
  ~TemporaryCache() {
    cache_.reset();
    std::error_code error;
    fs::remove_all(path_, error);
  }
  cache::Cache& cache() { return *cache_; }

private:
  fs::path path_;
  std::unique_ptr<cache::Cache> cache_;
};

// The repository-relative path the user meant: relative to the repository root when a
// repository was named, else to the current folder.
std::string repository_path(const GetRequest& request, const fs::path& root) {
  if (!request.repository.empty()) {
    const auto normal = fs::path(request.path).lexically_normal();
    if (normal.is_absolute() || (!normal.empty() && *normal.begin() == "..")) {
      throw Error(Failure::invalid_input,
                  "'" + request.path + "' is not a path inside " + request.repository,
                  "give the path relative to the repository's root");
    }
    return normal.generic_string();
  }
  const auto inside = util::relative_inside(request.path, root);
  if (!inside) {
    throw Error(Failure::invalid_input,
                "'" + request.path + "' is outside the repository " + root.string());
  }
  return inside->generic_string();
}

// Every file is scanned before the first is written, so a refused folder leaves no output.
void write_output(cache::Cache& cache,
                  const pointer::Pointer& pointer,
                  const fs::path& output,
                  SafetyGate& gate,
                  const std::string& shown) {
  const LinkType copy[] = {LinkType::copy};
  if (pointer.kind == pointer::Kind::file) {
    gate.admit(cache.file_path(pointer.sha256), shown);
    gate.finish();
    materialize(cache, pointer.sha256, output, false, copy);
    return;
  }
  const auto listing = cache.read_dir(pointer.sha256);
  if (!listing) {
    throw Error(Failure::not_found, "dir listing " + pointer.sha256 + " is not in the cache",
                "run `mlv fetch` for it first");
  }
  for (const auto& entry : listing->entries) {
    gate.admit(cache.file_path(entry.id), shown + "/" + entry.path);
  }
  gate.finish();
  for (const auto& entry : listing->entries) {
    materialize(cache, entry.id, output / entry.path, entry.executable, copy);
  }
  for (const auto& folder : listing->empty_dirs) {
    util::make_directories(output / folder);
  }
}

// The current folder's mlv repository, when it is the source repository too.
std::optional<Context> same_repository(const fs::path& source_root) {
  try {
    auto context = Context::open(fs::current_path());
    if (fs::equivalent(context.root(), source_root)) {
      return context;
    }
  } catch (const Error&) {
  }
  return std::nullopt;
}

} // namespace

GetResult get(const GetRequest& request) {
  const auto source = git::Repository::discover(
      request.repository.empty() ? fs::current_path() : fs::path(request.repository));
  const auto root = source.work_dir();
  const auto path = repository_path(request, root);
  const auto commit = source.resolve_commit(request.revision);
  const auto pointer_path = pointer::as_pointer_path(path);
  const auto text = source.read_file(commit, pointer_path);
  if (!text) {
    throw Error(Failure::not_found,
                "'" + path + "' is not tracked by mlv at " + request.revision + " in " +
                    root.string(),
                "check the path and revision; `git ls-tree -r " + request.revision +
                    " --name-only` lists the committed *.mlv pointers");
  }
  const auto pointer = pointer::parse_pointer(*text, pointer_path + " at " + request.revision);

  std::error_code error;
  if (fs::exists(request.output, error) && !request.force) {
    throw Error(Failure::conflict, "output '" + request.output.string() + "' already exists",
                "choose another " + option_ref("-o") + " path, or pass " + option_ref("--force") +
                    " to replace it");
  }
  const auto output_folder = fs::absolute(request.output).parent_path();
  util::make_directories(output_folder);

  auto context = same_repository(root);
  const auto config = context ? context->config() : config::Config::load(root);
  SafetyGate gate(config, request.safety);
  std::optional<TemporaryCache> temporary;
  cache::Cache& cache = context ? context->cache() : temporary.emplace(output_folder).cache();

  GetResult result{pointer.sha256, pointer.size, std::string(pointer::kind_name(pointer.kind)), {}};
  transfer::Targets targets;
  (pointer.kind == pointer::Kind::dir ? targets.dir_ids : targets.file_ids).insert(pointer.sha256);
  if (!in_cache(cache, pointer)) {
    auto remote = open_remote(config, request.remote);
    transfer::Options options;
    options.jobs = request.jobs > 0 ? request.jobs : default_jobs(config);
    options.progress = request.progress;
    result.stats = transfer::fetch(cache, remote.handle(), targets, options);
    if (auto lacking =
            missing_on_remote({{pointer_path, path, pointer}}, result.stats.missing, remote.url)) {
      throw *lacking;
    }
  }
  write_output(cache, pointer, fs::absolute(request.output), gate, path);
  return result;
}

} // namespace mlv::workspace
