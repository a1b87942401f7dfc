#include <mlv/cli/commands.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/context.hpp>

#include <filesystem>
#include <iostream>

namespace mlv::cli {

void register_config(CLI::App& app, Output& output) {
  struct Arguments {
    std::string key;
    std::optional<std::string> value;
    bool local = false;
    bool user = false;
    bool unset = false;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = app.add_subcommand("config", "Get or set a configuration value");
  command->add_option("key", arguments->key, "Dotted key, e.g. cache.type or remote.origin.url")
      ->required();
  command->add_option("value", arguments->value, "New value (omit to print the current one)");
  command->add_flag("--local", arguments->local,
                    "Use .mlv/config.local (git-ignored; for secrets)");
  command->add_flag("--user", arguments->user, "Use the user's config (~/.config/mlv/config)");
  command->add_flag("--unset", arguments->unset, "Remove the key");
  command->callback([arguments, &output] {
    config::validate_key(arguments->key);
    auto context = workspace::Context::open(std::filesystem::current_path());
    auto& config = context.config();
    const auto scope = arguments->local  ? config::Scope::local
                       : arguments->user ? config::Scope::user
                                         : config::Scope::repo;
    if (arguments->unset) {
      if (!config.unset(scope, arguments->key)) {
        throw Error(Failure::failed,
                    "'" + arguments->key + "' is not set in " + config.file_of(scope).string());
      }
      return;
    }
    if (arguments->value) {
      config.set(scope, arguments->key, *arguments->value);
      return;
    }
    const auto value = config.get(arguments->key);
    if (!value) {
      throw Error(Failure::failed, "'" + arguments->key + "' is not set");
    }
    std::cout << *value << '\n';
    (void)output;
  });
}

} // namespace mlv::cli
