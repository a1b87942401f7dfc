#include <mlv/cli/commands.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/gc.hpp>

#include <unistd.h>

#include <filesystem>
#include <iostream>

namespace mlv::cli {

namespace {

struct GcArguments {
  workspace::RevisionSelection selection;
  bool dry_run = false;
  bool force = false;
};

bool confirmed() {
  std::cerr << "Remove them? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::cerr << '\n';
    return false;
  }
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string plan_json(const workspace::GcPlan& plan, bool removed) {
  util::JsonWriter json;
  json.begin_object().key("removed").value(removed).key("bytes").value(plan.bytes);
  for (const auto& [name, ids] :
       {std::pair{"files", &plan.files}, std::pair{"manifests", &plan.manifests},
        std::pair{"dirs", &plan.dirs}}) {
    json.key(name).begin_array();
    for (const auto& id : *ids) {
      json.value(id);
    }
    json.end_array();
  }
  json.end_object();
  return json.str();
}

} // namespace

void register_gc(CLI::App& app, Output& output) {
  auto arguments = std::make_shared<GcArguments>();
  auto* command = app.add_subcommand("gc", "Remove cache objects that no kept pointer names");
  command->add_flag("--all-branches", arguments->selection.all_branches,
                    "Keep what every branch tip names");
  command->add_flag("--all-tags", arguments->selection.all_tags,
                    "Keep what every tagged commit names");
  command->add_flag("--all-commits", arguments->selection.all_commits,
                    "Keep what any commit names");
  command->add_option("--rev", arguments->selection.revisions,
                      "Keep what this revision names (repeatable)");
  command->add_flag("-n,--dry-run", arguments->dry_run, "Only list what would be removed");
  command->add_flag("-f,--force", arguments->force, "Do not ask for confirmation");
  command->add_flag("--json", output.json, "Print the plan as JSON");
  command->callback([arguments, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto plan = workspace::plan_gc(context, arguments->selection);
    if (plan.empty()) {
      output.say("Nothing to remove: every cached object is named by a kept pointer.");
      output.emit_json(plan_json(plan, false));
      return;
    }
    output.say("Unreferenced: " + std::to_string(plan.files.size()) + " file(s) (" +
               human_bytes(plan.bytes) + "), " + std::to_string(plan.manifests.size()) +
               " manifest(s), " + std::to_string(plan.dirs.size()) + " dir listing(s)");
    if (output.verbose || arguments->dry_run) {
      for (const auto& id : plan.files) {
        output.say("  file " + id);
      }
      for (const auto& id : plan.dirs) {
        output.say("  dir " + id);
      }
    }
    if (arguments->dry_run || (!arguments->force && !confirmed())) {
      output.say("Nothing removed.");
      output.emit_json(plan_json(plan, false));
      return;
    }
    const auto freed = workspace::apply_gc(context, plan);
    output.say("Removed; freed " + human_bytes(freed) + ".");
    output.emit_json(plan_json(plan, true));
  });
}

} // namespace mlv::cli
