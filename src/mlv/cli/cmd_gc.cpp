#include <mlv/cli/commands.hpp>
#include <mlv/util/error.hpp>
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
  std::string remote;
  std::string grace = "24h";
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

// "90s", "30m", "24h", "7d", or a number of seconds.
std::int64_t parse_duration(const std::string& text) {
  std::size_t used = 0;
  long long value = -1;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
  }
  const auto unit = text.substr(std::min(used, text.size()));
  const std::int64_t scale = unit.empty() || unit == "s" ? 1
                             : unit == "m"               ? 60
                             : unit == "h"               ? 3600
                             : unit == "d"               ? 86400
                                                         : 0;
  if (value < 0 || scale == 0 || used == 0) {
    throw mlv::Error(mlv::ExitCode::usage, "--grace '" + text + "' is not a duration",
                     "write a number with s, m, h or d, e.g. --grace 24h");
  }
  return value * scale;
}

// "name": [ids...] for each list, in the order given.
void write_id_lists(
    util::JsonWriter& json,
    std::initializer_list<std::pair<const char*, const std::vector<std::string>*>> lists) {
  for (const auto& [name, ids] : lists) {
    json.key(name).begin_array();
    for (const auto& id : *ids) {
      json.value(id);
    }
    json.end_array();
  }
}

std::string remote_plan_json(const workspace::RemoteGc& gc, bool removed) {
  const auto& plan = gc.plan;
  util::JsonWriter json;
  json.begin_object()
      .key("remote")
      .value(gc.remote_name)
      .key("removed")
      .value(removed)
      .key("bytes")
      .value(plan.bytes)
      .key("recent_kept")
      .value(plan.recent_kept);
  write_id_lists(json,
                 {std::pair{"packs", &plan.packs}, std::pair{"manifests", &plan.manifests},
                  std::pair{"dirs", &plan.dirs}, std::pair{"temporaries", &plan.temporaries}});
  json.end_object();
  return json.str();
}

void run_remote_gc(const GcArguments& arguments, Output& output) {
  const auto grace = parse_duration(arguments.grace);
  auto context = workspace::Context::open(std::filesystem::current_path());
  const auto gc = workspace::plan_remote_gc(context, arguments.selection, arguments.remote, grace);
  const auto& plan = gc.plan;
  const auto spared = plan.recent_kept == 0
                          ? std::string()
                          : "; " + std::to_string(plan.recent_kept) + " newer than " +
                                arguments.grace + " kept (a push may be using them)";
  if (plan.empty()) {
    output.say("Nothing to remove from " + gc.remote_url + ": every object is needed" + spared +
               ".");
    output.emit_json(remote_plan_json(gc, false));
    return;
  }
  output.say("Unreferenced on " + gc.remote_url + ": " + std::to_string(plan.packs.size()) +
             " pack(s) (" + human_bytes(plan.bytes) + "), " +
             std::to_string(plan.manifests.size()) + " manifest(s), " +
             std::to_string(plan.dirs.size()) + " dir listing(s), " +
             std::to_string(plan.temporaries.size()) +
             " temporary file(s) left by interrupted pushes" + spared);
  if (output.verbose || arguments.dry_run) {
    for (const auto& id : plan.packs) {
      output.say("  pack " + id);
    }
    for (const auto& id : plan.manifests) {
      output.say("  manifest " + id);
    }
    for (const auto& id : plan.dirs) {
      output.say("  dir " + id);
    }
    for (const auto& key : plan.temporaries) {
      output.say("  temporary " + key);
    }
  }
  if (arguments.dry_run || (!arguments.force && !confirmed())) {
    output.say("Nothing removed.");
    output.emit_json(remote_plan_json(gc, false));
    return;
  }
  const auto freed = workspace::apply_remote_gc(context, gc);
  output.say("Removed; freed " + human_bytes(freed) + " on " + gc.remote_url + ".");
  output.emit_json(remote_plan_json(gc, true));
}

std::string plan_json(const workspace::GcPlan& plan, bool removed) {
  util::JsonWriter json;
  json.begin_object().key("removed").value(removed).key("bytes").value(plan.bytes);
  write_id_lists(json, {std::pair{"files", &plan.files}, std::pair{"manifests", &plan.manifests},
                        std::pair{"dirs", &plan.dirs}});
  json.end_object();
  return json.str();
}

} // namespace

void register_gc(CLI::App& app, Output& output) {
  auto arguments = std::make_shared<GcArguments>();
  auto* command = app.add_subcommand(
      "gc", "Remove cache (or, with -r, remote) objects that no kept pointer names");
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
  command->add_option("-r,--remote", arguments->remote,
                      "Collect this remote's packs, manifests and dir listings instead of the "
                      "cache");
  command->add_option("--grace", arguments->grace,
                      "With -r: keep objects newer than this, whatever names them (default 24h)");
  command->callback([arguments, &output] {
    if (!arguments->remote.empty()) {
      run_remote_gc(*arguments, output);
      return;
    }
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
