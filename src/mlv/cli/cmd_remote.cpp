#include <mlv/cli/commands.hpp>
#include <mlv/remote/object_store.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/context.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

using config::Scope;

workspace::Context open_here() {
  return workspace::Context::open(std::filesystem::current_path());
}

void check_name(const std::string& name) {
  if (name.empty() || name.find_first_of("./ \t") != std::string::npos) {
    throw Error(Failure::invalid_input, "invalid remote name '" + name + "'",
                "use letters, digits, '-' and '_' only");
  }
}

void register_add_remote(CLI::App& group, Output& output) {
  struct Arguments {
    std::string name;
    std::string url;
    bool make_default = false;
    bool local = false;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = group.add_subcommand(
      "add", "Add a remote: a folder path, file://, s3://, gs://, http(s):// or azure:// URL");
  command->add_option("name", arguments->name, "Remote name")->required();
  command->add_option("url", arguments->url, "Remote URL or folder")->required();
  command->add_flag("-d,--default", arguments->make_default, "Make it the default remote");
  command->add_flag("--local", arguments->local, "Write to .mlv/config.local (not committed)");
  command->callback([arguments, &output] {
    check_name(arguments->name);
    auto context = open_here();
    if (context.config().remote(arguments->name)) {
      throw Error(Failure::invalid_input, "remote '" + arguments->name + "' already exists",
                  "use `mlv remote modify " + arguments->name + " url URL` to change it");
    }
    (void)remote::open_store(arguments->url, {}); // rejects an unknown scheme now, not at push
    const auto scope = arguments->local ? Scope::local : Scope::repo;
    context.config().set(scope, "remote." + arguments->name + ".url", arguments->url);
    if (arguments->make_default) {
      context.config().set(scope, "core.remote", arguments->name);
    }
    output.say("added remote " + arguments->name + " -> " + remote::redact_url(arguments->url) +
               (arguments->make_default ? " (default)" : ""));
  });
}

void register_list_remotes(CLI::App& group, Output& output) {
  auto* command = group.add_subcommand("list", "List remotes");
  command->add_flag("--json", output.json, "Print as JSON");
  command->callback([&output] {
    auto context = open_here();
    const auto fallback = context.config().get("core.remote");
    util::JsonWriter json;
    json.begin_array();
    for (const auto& remote : context.config().remotes()) {
      const bool is_default = fallback && *fallback == remote.name;
      const auto url = remote::redact_url(remote.url);
      output.say(remote.name + "\t" + url + (is_default ? "\t(default)" : ""));
      json.begin_object().key("name").value(remote.name).key("url").value(url);
      json.key("default").value(is_default).end_object();
    }
    json.end_array();
    output.emit_json(json.str());
  });
}

void register_remove_remote(CLI::App& group, Output& output) {
  auto name = std::make_shared<std::string>();
  auto* command = group.add_subcommand("remove", "Remove a remote");
  command->add_option("name", *name, "Remote name")->required();
  command->callback([name, &output] {
    auto context = open_here();
    if (!context.config().remove_remote(*name)) {
      throw Error(Failure::invalid_input, "no remote named '" + *name + "'",
                  "`mlv remote list` shows them");
    }
    for (const auto scope : {Scope::repo, Scope::local}) {
      if (context.config().get("core.remote") == *name) {
        context.config().unset(scope, "core.remote");
      }
    }
    output.say("removed remote " + *name);
  });
}

void register_modify_remote(CLI::App& group, Output& output) {
  struct Arguments {
    std::string name;
    std::string key;
    std::string value;
    bool local = false;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command =
      group.add_subcommand("modify", "Set an option of a remote (url, or a backend option)");
  command->add_option("name", arguments->name, "Remote name")->required();
  command->add_option("key", arguments->key, "Option name")->required();
  command->add_option("value", arguments->value, "New value")->required();
  command->add_flag("--local", arguments->local, "Write to .mlv/config.local (for secrets)");
  command->callback([arguments, &output] {
    auto context = open_here();
    if (!context.config().remote(arguments->name)) {
      throw Error(Failure::invalid_input, "no remote named '" + arguments->name + "'",
                  "`mlv remote add " + arguments->name + " URL` creates it");
    }
    const auto key = "remote." + arguments->name + "." + arguments->key;
    context.config().set(arguments->local ? Scope::local : Scope::repo, key, arguments->value);
    output.say("set " + key);
  });
}

void register_default_remote(CLI::App& group, Output& output) {
  auto name = std::make_shared<std::string>();
  auto* command = group.add_subcommand("default", "Make a remote the default");
  command->add_option("name", *name, "Remote name")->required();
  command->callback([name, &output] {
    auto context = open_here();
    if (!context.config().remote(*name)) {
      throw Error(Failure::invalid_input, "no remote named '" + *name + "'",
                  "`mlv remote list` shows them");
    }
    context.config().set(Scope::repo, "core.remote", *name);
    output.say("default remote: " + *name);
  });
}

} // namespace

void register_remote(CLI::App& app, Output& output) {
  auto* group = app.add_subcommand("remote", "Manage remotes");
  group->require_subcommand(1);
  register_add_remote(*group, output);
  register_list_remotes(*group, output);
  register_remove_remote(*group, output);
  register_modify_remote(*group, output);
  register_default_remote(*group, output);
}

} // namespace mlv::cli
