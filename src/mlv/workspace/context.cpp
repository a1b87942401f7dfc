#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/context.hpp>

namespace mlv::workspace {

namespace {

constexpr const char* k_config_header =
    "# mlv repository configuration (committed to git). Secrets belong in .mlv/config.local.\n"
    "# See docs/configuration.md.\n";

// Everything in .mlv/ except the committed config is machine-local.
constexpr const char* k_mlv_gitignore = "/cache/\n/config.local\n/tmp/\n/lock\n/state.db*\n";

std::filesystem::path mlv_dir(const std::filesystem::path& root) {
  return root / ".mlv";
}

} // namespace

Context Context::open(const std::filesystem::path& start) {
  Context context;
  context.git_ = std::make_unique<git::Repository>(git::Repository::discover(start));
  const auto root = context.git_->work_dir();
  if (!std::filesystem::exists(mlv_dir(root) / "config")) {
    throw Error(Failure::not_a_repository, "mlv is not initialised in " + root.string(),
                "run `mlv init` in this git repository first");
  }
  context.config_ = std::make_unique<config::Config>(config::Config::load(root));
  return context;
}

cache::Cache& Context::cache() {
  if (!cache_) {
    cache_ = std::make_unique<cache::Cache>(config_->cache_dir());
  }
  return *cache_;
}

std::string Context::relative(const std::filesystem::path& user_path) const {
  const auto inside = util::relative_inside(user_path, root());
  if (!inside) {
    throw Error(Failure::invalid_input,
                "'" + user_path.string() + "' is outside the repository " + root().string(),
                "mlv tracks files inside the git work tree only");
  }
  const auto text = inside->generic_string();
  return text == "." ? "" : text;
}

std::filesystem::path Context::absolute(const std::string& relative_path) const {
  return relative_path.empty() ? root() : root() / relative_path;
}

std::unique_ptr<util::FileLock> Context::lock_workspace() {
  return std::make_unique<util::FileLock>(mlv_dir(root()) / "lock");
}

void Context::defer(Error error) {
  // pull reads the pointers twice (fetch, then checkout): each problem is reported once.
  for (const auto& earlier : deferred_) {
    if (std::string_view(earlier.what()) == error.what()) {
      return;
    }
  }
  deferred_.push_back(std::move(error));
}

void Context::finish() {
  if (deferred_.empty()) {
    return;
  }
  auto errors = std::move(deferred_);
  deferred_.clear();
  if (errors.size() == 1) {
    throw errors.front();
  }
  std::string message = std::to_string(errors.size()) + " problems:";
  for (const auto& error : errors) {
    message += "\n  " + std::string(error.what());
  }
  throw Error(errors.front().kind(), message, errors.front().hint());
}

std::unique_ptr<util::FileLock> Context::try_lock_workspace() {
  return util::FileLock::try_lock(mlv_dir(root()) / "lock");
}

std::filesystem::path init(const std::filesystem::path& start) {
  auto repository = git::Repository::discover(start);
  const auto root = repository.work_dir();
  const auto dir = mlv_dir(root);
  util::make_directories(dir);
  std::vector<std::string> to_stage;
  if (!std::filesystem::exists(dir / "config")) {
    util::write_file_atomic(dir / "config", k_config_header);
    to_stage.push_back(".mlv/config");
  }
  if (!std::filesystem::exists(dir / ".gitignore")) {
    util::write_file_atomic(dir / ".gitignore", k_mlv_gitignore);
    to_stage.push_back(".mlv/.gitignore");
  }
  if (!to_stage.empty()) {
    repository.stage(to_stage);
  }
  return root;
}

} // namespace mlv::workspace
