#include <mlv/config/config.hpp>
#include <mlv/config/settings.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <sstream>

namespace mlv::config {

namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 5> k_sections = {"core", "cache", "remote", "safety", "transfer"};
constexpr std::array<const char*, 12> k_secret_words = {
    "password",    "secret_access_key", "access_key_id", "session_token",
    "token",       "sas_token",         "account_key",   "connection_string",
    "credentials", "credentialpath",    "headers",       "private_key"};
constexpr std::array<const char*, 1> k_local_only_keys = {"safety.policy"};
// Search order for get(): the first layer that sets a key wins (the environment is checked first).
constexpr std::array<Scope, 3> k_lookup_order = {Scope::local, Scope::repo, Scope::user};

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream stream(key);
  std::string part;
  while (std::getline(stream, part, '.')) {
    parts.push_back(part);
  }
  return parts;
}

std::string section_list() {
  std::string list;
  for (const auto* section : k_sections) {
    list += (list.empty() ? "" : ", ") + std::string(section);
  }
  return list;
}

bool is_section(const std::string& name) {
  return std::any_of(k_sections.begin(), k_sections.end(),
                     [&](const char* section) { return name == section; });
}

// Remote names become one part of a dotted key and of MLV_REMOTE_<NAME>_URL.
bool is_valid_remote_name(const std::string& name) {
  return !name.empty() && name.find_first_of("./") == std::string::npos;
}

std::string scope_name(Scope scope) {
  switch (scope) {
  case Scope::repo:
    return "repository";
  case Scope::local:
    return "local";
  case Scope::user:
    return "user";
  }
  return "";
}

} // namespace

void validate_key(const std::string& key) {
  const auto parts = split_key(key);
  if (parts.size() < 2 || key.back() == '.' ||
      std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); })) {
    throw Error(Failure::invalid_input, "config key '" + key + "' is not of the form SECTION.NAME",
                "sections are " + section_list() + "; e.g. cache.type or remote.origin.url");
  }
  if (!is_section(parts[0])) {
    throw Error(Failure::invalid_input,
                "config key '" + key + "': unknown section '" + parts[0] + "'",
                "sections are " + section_list());
  }
  if (parts[0] == "remote" && parts.size() != 3) {
    throw Error(Failure::invalid_input,
                "config key '" + key + "': remote keys are remote.NAME.OPTION",
                "e.g. remote.origin.url; a remote name may not contain '.' or '/'");
  }
  if (parts[0] == "remote" && !is_valid_remote_name(parts[1])) {
    throw Error(Failure::invalid_input,
                "config key '" + key + "': remote name '" + parts[1] + "' contains '/'",
                "a remote name may not contain '.' or '/'; e.g. remote.origin.url");
  }
  if (parts[0] != "remote" && parts.size() != 2) {
    throw Error(Failure::invalid_input, "config key '" + key + "' has too many parts",
                "e.g. cache.type");
  }
}

namespace {

YAML::Node load_layer(const fs::path& file) {
  std::error_code error;
  if (file.empty() || !fs::exists(file, error)) {
    return YAML::Node(YAML::NodeType::Map);
  }
  YAML::Node node;
  try {
    node = YAML::Load(util::read_file(file));
  } catch (const YAML::Exception& exception) {
    throw Error(Failure::invalid_input,
                file.string() + ": not valid YAML (line " +
                    std::to_string(exception.mark.line + 1) + "): " + exception.msg,
                "fix the file by hand or restore it with git");
  }
  if (node.IsNull()) {
    return YAML::Node(YAML::NodeType::Map);
  }
  if (!node.IsMap()) {
    throw Error(Failure::invalid_input, file.string() + ": expected a YAML map of sections",
                "fix the file by hand or restore it with git");
  }
  return node;
}

// Every key in `node` as a dotted key below `prefix`, maps and their entries alike (a secret may
// be a whole map, like `headers`).
void collect_keys(const YAML::Node& node,
                  const std::string& prefix,
                  std::vector<std::string>& keys) {
  keys.push_back(prefix);
  if (!node.IsMap()) {
    return;
  }
  for (const auto& entry : node) {
    const auto name = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    collect_keys(entry.second, prefix + "." + name, keys);
  }
}

std::optional<std::string> lookup(const YAML::Node& layer, const std::vector<std::string>& parts);

// Whether a URL carries a password in its user-info ("https://user:secret@host/...").
bool url_has_password(const std::string& value) {
  const auto scheme_end = value.find("://");
  if (scheme_end == std::string::npos) {
    return false;
  }
  const auto authority =
      value.substr(scheme_end + 3, value.find('/', scheme_end + 3) - scheme_end - 3);
  const auto at = authority.rfind('@');
  return at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos;
}

// A layer may only hold known sections and well-named remotes; the committed layer no secrets.
void check_layer(const YAML::Node& layer, const fs::path& file, Scope scope) {
  const auto fix = "fix " + file.string() + " by hand or with `mlv config`";
  for (const auto& entry : layer) {
    const auto section = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    if (!is_section(section)) {
      throw Error(Failure::invalid_input,
                  file.string() + ": unknown section '" + section +
                      "' (valid sections: " + section_list() + ")",
                  fix);
    }
    if (section == "remote" && entry.second.IsMap()) {
      for (const auto& remote : entry.second) {
        const auto name = remote.first.IsScalar() ? remote.first.Scalar() : std::string();
        if (!is_valid_remote_name(name)) {
          throw Error(Failure::invalid_input,
                      file.string() + ": remote name '" + name + "' may not contain '.' or '/'",
                      fix);
        }
      }
    }
    if (scope != Scope::repo) {
      continue;
    }
    std::vector<std::string> keys;
    collect_keys(entry.second, section, keys);
    for (const auto& key : keys) {
      if (key.ends_with(".url") && url_has_password(lookup(layer, split_key(key)).value_or(""))) {
        throw Error(Failure::invalid_input,
                    file.string() + ": '" + key +
                        "' holds a password in its URL, and the committed config may not",
                    "keep the URL without the password and set `mlv config --local " +
                        key.substr(0, key.size() - 3) + "password VALUE`");
      }
      if (is_secret_key(key)) {
        throw Error(Failure::invalid_input,
                    file.string() + ": '" + key +
                        "' is a secret and may not be set in the committed config",
                    "move it to .mlv/config.local with `mlv config --local " + key + " VALUE`");
      }
      if (is_local_only_key(key)) {
        throw Error(Failure::invalid_input,
                    file.string() + ": '" + key +
                        "' may not be set in the committed config, where anyone who can push "
                        "could switch the protection off",
                    "move it to .mlv/config.local with `mlv config --local " + key + " VALUE`");
      }
    }
  }
}

std::optional<std::string> lookup(const YAML::Node& layer, const std::vector<std::string>& parts) {
  // yaml-cpp's operator= on a Node assigns the value it refers to; reset() rebinds.
  YAML::Node node;
  node.reset(layer);
  for (const auto& part : parts) {
    if (!node.IsMap()) {
      return std::nullopt;
    }
    const YAML::Node child = static_cast<const YAML::Node&>(node)[part];
    if (!child) {
      return std::nullopt;
    }
    node.reset(child);
  }
  if (!node.IsScalar()) {
    return std::nullopt;
  }
  return node.Scalar();
}

std::string environment_name(const std::string& key) {
  std::string name = "MLV_";
  for (const char c : key) {
    name += (c == '.' || c == '-') ? '_'
                                   : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

fs::path user_config_file() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "mlv" / "config";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".config" / "mlv" / "config";
  }
  return {};
}

// Sets or removes parts[...] in a YAML map, creating intermediate maps; prunes empty maps.
bool remove_path(YAML::Node map, const std::vector<std::string>& parts, std::size_t index) {
  if (!map.IsMap() || !map[parts[index]]) {
    return false;
  }
  if (index + 1 == parts.size()) {
    return map.remove(parts[index]);
  }
  YAML::Node child = map[parts[index]];
  const bool removed = remove_path(child, parts, index + 1);
  if (removed && child.IsMap() && child.size() == 0) {
    map.remove(parts[index]);
  }
  return removed;
}

std::string serialize_layer(const YAML::Node& layer, Scope scope) {
  YAML::Emitter out;
  out << layer;
  std::string header = scope == Scope::repo ? "# mlv repository configuration (committed to git). "
                                              "Secrets belong in .mlv/config.local.\n"
                                            : "# mlv configuration (" + scope_name(scope) +
                                                  "); see docs/configuration.md\n";
  return header + (layer.size() == 0 ? std::string() : std::string(out.c_str()) + "\n");
}

} // namespace

bool is_secret_key(const std::string& key) {
  const auto parts = split_key(key);
  if (parts.empty()) {
    return false;
  }
  std::string last = parts.back();
  std::transform(last.begin(), last.end(), last.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (last.starts_with("header")) {
    return true;
  }
  return std::any_of(k_secret_words.begin(), k_secret_words.end(),
                     [&](const char* word) { return last == word; });
}

bool is_local_only_key(const std::string& key) {
  return std::any_of(k_local_only_keys.begin(), k_local_only_keys.end(),
                     [&](const char* local_only) { return key == local_only; });
}

Config Config::load(const fs::path& repo_root) {
  Config config;
  config.repo_root_ = repo_root;
  if (!repo_root.empty()) {
    config.files_[Scope::repo] = repo_root / ".mlv" / "config";
    config.files_[Scope::local] = repo_root / ".mlv" / "config.local";
  }
  config.files_[Scope::user] = user_config_file();
  for (const auto& [scope, file] : config.files_) {
    config.layers_[scope] = load_layer(file);
  }
  // The committed config is untrusted: a secret there is refused rather than used.
  for (const auto& [scope, layer] : config.layers_) {
    check_layer(layer, config.files_[scope], scope);
  }
  return config;
}

std::optional<std::string> Config::get(const std::string& key) const {
  // Every value is checked where it is read, with the check `mlv config` applies when writing.
  if (const char* value = std::getenv(environment_name(key).c_str()); value != nullptr) {
    check_setting(key, value, environment_name(key),
                  "fix or unset the environment variable " + environment_name(key));
    return std::string(value);
  }
  const auto parts = split_key(key);
  for (const auto scope : k_lookup_order) {
    if (const auto it = layers_.find(scope); it != layers_.end()) {
      if (auto value = lookup(it->second, parts)) {
        const auto option = scope == Scope::repo ? std::string() : "--" + scope_name(scope) + " ";
        check_setting(key, *value, file_of(scope).string(),
                      "set it with `mlv config " + option + key +
                          " VALUE`, or remove it with `mlv config " + option + "--unset " + key +
                          "`");
        return value;
      }
    }
  }
  return std::nullopt;
}

std::string Config::get_or(const std::string& key, const std::string& fallback) const {
  return get(key).value_or(fallback);
}

fs::path Config::file_of(Scope scope) const {
  const auto it = files_.find(scope);
  return it == files_.end() ? fs::path() : it->second;
}

void Config::set(Scope scope, const std::string& key, const std::string& value) {
  validate_key(key);
  if (scope == Scope::repo && key.ends_with(".url") && url_has_password(value)) {
    throw Error(Failure::invalid_input,
                "'" + key + "' would put a password from the URL in the committed .mlv/config",
                "give the URL without it and `mlv config --local " + key.substr(0, key.size() - 3) +
                    "password VALUE`, or use " + option_ref("--local"));
  }
  if (scope == Scope::repo && is_secret_key(key)) {
    throw Error(Failure::invalid_input,
                "'" + key + "' is a secret and may not be stored in the committed .mlv/config",
                "use `mlv config --local " + key + " VALUE` (git-ignored) or the environment");
  }
  if (scope == Scope::repo && is_local_only_key(key)) {
    throw Error(Failure::invalid_input,
                "'" + key +
                    "' may not be stored in the committed .mlv/config, where anyone who "
                    "can push could switch the protection off",
                "use `mlv config --local " + key + " VALUE`, " + option_ref("--user") +
                    ", or the environment");
  }
  validate_setting(key, value);
  const auto file = file_of(scope);
  if (file.empty()) {
    throw Error(Failure::invalid_input, "no " + scope_name(scope) + " configuration file here",
                "run inside an mlv repository, or set HOME");
  }
  const auto parts = split_key(key);
  YAML::Node layer = layers_[scope];
  YAML::Node node;
  node.reset(layer);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!node[parts[i]] || !node[parts[i]].IsMap()) {
      node[parts[i]] = YAML::Node(YAML::NodeType::Map);
    }
    node.reset(node[parts[i]]);
  }
  node[parts.back()] = value;
  util::make_directories(file.parent_path());
  util::write_file_atomic(file, serialize_layer(layer, scope));
}

bool Config::unset(Scope scope, const std::string& key) {
  const auto file = file_of(scope);
  const auto parts = split_key(key);
  if (file.empty() || parts.empty() || !remove_path(layers_[scope], parts, 0)) {
    return false;
  }
  util::write_file_atomic(file, serialize_layer(layers_[scope], scope));
  return true;
}

std::vector<RemoteSpec> Config::remotes() const {
  std::map<std::string, RemoteSpec> found;
  for (const auto scope : {Scope::user, Scope::repo, Scope::local}) {
    const auto it = layers_.find(scope);
    if (it == layers_.end() || !it->second.IsMap() || !it->second["remote"] ||
        !it->second["remote"].IsMap()) {
      continue;
    }
    for (const auto& remote : it->second["remote"]) {
      const auto name = remote.first.as<std::string>();
      auto& spec = found[name];
      spec.name = name;
      if (!remote.second.IsMap()) {
        continue;
      }
      for (const auto& option : remote.second) {
        if (!option.second.IsScalar()) {
          continue;
        }
        const auto key = option.first.as<std::string>();
        if (key == "url") {
          spec.url = option.second.Scalar();
        } else {
          spec.options[key] = option.second.Scalar();
        }
      }
    }
  }
  std::vector<RemoteSpec> remotes;
  for (auto& [name, spec] : found) {
    if (const char* url = std::getenv(environment_name("remote." + name + ".url").c_str())) {
      spec.url = url;
    }
    // Any option from the environment, as CI passes secrets: MLV_REMOTE_ORIGIN_PASSWORD is
    // remote.origin.password. It wins over the files, as every environment setting does.
    const auto prefix = environment_name("remote." + name + ".");
    for (char** variable = environ; *variable != nullptr; ++variable) {
      const std::string_view entry(*variable);
      const auto equals = entry.find('=');
      if (equals == std::string_view::npos || !entry.starts_with(prefix) ||
          equals <= prefix.size()) {
        continue;
      }
      std::string option(entry.substr(prefix.size(), equals - prefix.size()));
      std::transform(option.begin(), option.end(), option.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (option != "url") {
        spec.options[option] = std::string(entry.substr(equals + 1));
      }
    }
    if (!spec.url.empty()) {
      remotes.push_back(std::move(spec));
    }
  }
  return remotes;
}

std::optional<RemoteSpec> Config::remote(const std::string& name) const {
  for (auto& spec : remotes()) {
    if (spec.name == name) {
      return spec;
    }
  }
  return std::nullopt;
}

RemoteSpec Config::choose_remote(const std::optional<std::string>& name) const {
  if (name) {
    if (auto spec = remote(*name)) {
      return *spec;
    }
    throw Error(
        Failure::invalid_input, "no remote named '" + *name + "'",
        "`mlv remote list` shows the configured remotes; `mlv remote add NAME URL` adds one");
  }
  if (const auto fallback = get("core.remote")) {
    if (auto spec = remote(*fallback)) {
      return *spec;
    }
    throw Error(Failure::invalid_input,
                "the default remote '" + *fallback + "' (core.remote) is not configured",
                "`mlv remote add " + *fallback + " URL`, or `mlv remote default NAME`");
  }
  const auto all = remotes();
  if (all.size() == 1) {
    return all.front();
  }
  if (all.empty()) {
    throw Error(Failure::invalid_input, "no remote is configured",
                "add one with `mlv remote add NAME URL --default`");
  }
  throw Error(Failure::invalid_input, "several remotes are configured and none is the default",
              "pass " + option_ref("-r") + " NAME, or set one with `mlv remote default NAME`");
}

bool Config::remove_remote(const std::string& name) {
  bool removed = false;
  for (const auto scope : {Scope::repo, Scope::local, Scope::user}) {
    const auto file = file_of(scope);
    if (!file.empty() && remove_path(layers_[scope], {"remote", name}, 0)) {
      util::write_file_atomic(file, serialize_layer(layers_[scope], scope));
      removed = true;
    }
  }
  return removed;
}

fs::path Config::cache_dir() const {
  const auto configured = get("cache.dir");
  if (!configured || configured->empty()) {
    return repo_root_ / ".mlv" / "cache";
  }
  const fs::path path(*configured);
  return path.is_absolute() ? path : (repo_root_ / path).lexically_normal();
}

} // namespace mlv::config
