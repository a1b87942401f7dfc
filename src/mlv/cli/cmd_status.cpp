#include <mlv/cli/commands.hpp>
#include <mlv/cli/folder_changes_text.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/status.hpp>
#include <mlv/workspace/sync.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

struct StatusArguments {
  std::vector<std::string> targets;
  std::string remote;
  bool check_remote = false;
  bool verify = false;
  unsigned jobs = 0;
};

std::string entries_json(const std::vector<workspace::StatusEntry>& entries) {
  util::JsonWriter json;
  json.begin_array();
  for (const auto& entry : entries) {
    json.begin_object().key("path").value(entry.data_path).key("kind").value(entry.kind);
    json.key("status").begin_array();
    for (const auto state : entry.states) {
      json.value(workspace::state_key(state));
    }
    json.end_array();
    write_folder_changes(json, "changes", entry.changes);
    json.end_object();
  }
  json.end_array();
  return json.str();
}

std::string describe(const std::vector<workspace::State>& states) {
  std::string words;
  for (const auto state : states) {
    words += (words.empty() ? "" : ", ") + workspace::state_words(state);
  }
  return words;
}

} // namespace

void register_status(CLI::App& app, Output& output) {
  auto arguments = std::make_shared<StatusArguments>();
  auto* command = app.add_subcommand(
      "status", "Compare tracked files with their pointers, the cache and a remote");
  command->add_option("targets", arguments->targets, "Tracked paths or folders (default: all)");
  auto* remote = command->add_option("-r,--remote", arguments->remote, "Also check this remote");
  command->add_option("-j,--jobs", arguments->jobs, "Parallel remote requests");
  command->add_flag("--verify", arguments->verify,
                    "With -r: read every pack the targets' manifests point into and check its "
                    "hash, instead of only checking that it exists");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([arguments, remote, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto tracked = workspace::workspace_pointers(context, arguments->targets);
    std::optional<workspace::OpenedRemote> opened;
    std::optional<transfer::RemoteHandle> handle;
    if (remote->count() > 0) {
      opened = workspace::open_remote(context.config(), arguments->remote);
      handle.emplace(opened->handle());
    }
    const auto jobs =
        arguments->jobs > 0 ? arguments->jobs : workspace::default_jobs(context.config());
    if (arguments->verify && !handle) {
      throw Error(Failure::usage, "status --verify checks a remote's packs: it needs -r REMOTE",
                  "run `mlv status -r REMOTE --verify`");
    }
    const auto entries = workspace::status(context, tracked, handle, jobs, arguments->verify,
                                           output.progress("status", Output::Meter::files));
    output.end_progress();
    if (entries.empty()) {
      output.say("Nothing is tracked yet: `mlv add PATH` tracks a model file.");
    }
    for (const auto& entry : entries) {
      output.say(entry.data_path + ": " + describe(entry.states));
      for (const auto& line : folder_change_lines("  ", entry.data_path, entry.changes)) {
        output.say(line);
      }
    }
    output.emit_json(entries_json(entries));
    context.finish();
  });
}

} // namespace mlv::cli
