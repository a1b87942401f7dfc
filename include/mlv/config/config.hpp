#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlv::config {

// Where a setting lives. Lookups search, highest first: environment (MLV_<KEY>, dots and dashes
// as underscores, upper case), local (`.mlv/config.local`, git-ignored, for secrets), repo
// (`.mlv/config`, committed), user (`$XDG_CONFIG_HOME/mlv/config` or `~/.config/mlv/config`).
enum class Scope { repo, local, user };

// A configured remote: its name, URL and every other key set on it (region, endpointurl, ...).
struct RemoteSpec {
  std::string name;
  std::string url;
  std::map<std::string, std::string> options;
};

// The merged configuration of one repository. Keys are dotted: `core.remote`, `core.jobs`,
// `cache.dir`, `cache.type`, `remote.<name>.url`, `remote.<name>.<option>`.
class Config {
public:
  // Reads every layer; a missing file is an empty layer; malformed YAML is Error(bad_input)
  // naming the file. `repo_root` may be empty (outside a repository: user + environment only).
  static Config load(const std::filesystem::path& repo_root);

  // The value of `key`, from the first layer that sets it. A known setting's value that fails
  // its check (settings.hpp) is Error(bad_input) naming the file or environment variable.
  std::optional<std::string> get(const std::string& key) const;
  std::string get_or(const std::string& key, const std::string& fallback) const;
  // Validates the key (known section and setting, and no secrets in Scope::repo: the committed
  // config is untrusted) and the value (settings.hpp), then writes the file atomically. Throws
  // Error(bad_input), writing nothing, on a bad key or value.
  void set(Scope scope, const std::string& key, const std::string& value);
  // Returns whether the key was set in that scope.
  bool unset(Scope scope, const std::string& key);

  std::vector<RemoteSpec> remotes() const;
  std::optional<RemoteSpec> remote(const std::string& name) const;
  // The remote named by `name`, or the default (`core.remote`), or the only one configured.
  // Throws Error(bad_input) with a hint to `mlv remote add` when none can be chosen.
  RemoteSpec choose_remote(const std::optional<std::string>& name) const;
  // Removes the remote's section from every writable scope that has it; false if none had.
  bool remove_remote(const std::string& name);

  // `cache.dir` resolved against the repository root; default `<root>/.mlv/cache`.
  std::filesystem::path cache_dir() const;

  std::filesystem::path file_of(Scope scope) const;
  const std::filesystem::path& repo_root() const noexcept { return repo_root_; }

private:
  std::filesystem::path repo_root_;
  std::map<Scope, YAML::Node> layers_;
  std::map<Scope, std::filesystem::path> files_;
};

// Keys that carry secrets or commands; refused in Scope::repo.
bool is_secret_key(const std::string& key);

// Keys that would switch a protection off for everyone who pulls (`safety.policy`); like
// secrets, refused in Scope::repo, since anyone who can push can change the committed config.
bool is_local_only_key(const std::string& key);

// Error(bad_input) naming the key when it is not SECTION.NAME (remote.NAME.OPTION) with a known
// section.
void validate_key(const std::string& key);

} // namespace mlv::config
