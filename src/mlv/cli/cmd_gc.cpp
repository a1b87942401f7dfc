#include <mlv/cli/commands.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/gc.hpp>

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <set>

namespace mlv::cli {

namespace {

struct GcArguments {
  workspace::RevisionSelection selection;
  bool workspace_only = false;
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
    throw mlv::Error(mlv::Failure::usage, "--grace '" + text + "' is not a duration",
                     "write a number with s, m, h or d, e.g. --grace 24h");
  }
  return value * scale;
}

// What to keep: the options given, plus every branch, tag and stash entry unless --workspace.
workspace::RevisionSelection kept_selection(const GcArguments& arguments) {
  auto selection = arguments.selection;
  if (!arguments.workspace_only) {
    const auto defaults = workspace::default_gc_selection();
    selection.all_branches = selection.all_branches || defaults.all_branches;
    selection.all_tags = selection.all_tags || defaults.all_tags;
    selection.stash = selection.stash || defaults.stash;
  }
  return selection;
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
  write_id_lists(json, {std::pair{"packs", &plan.packs}, std::pair{"manifests", &plan.manifests},
                        std::pair{"dirs", &plan.dirs}, std::pair{"bundles", &plan.bundles},
                        std::pair{"temporaries", &plan.temporaries}});
  json.end_object();
  return json.str();
}

void run_remote_gc(const GcArguments& arguments, Output& output) {
  const auto grace = parse_duration(arguments.grace);
  auto context = workspace::Context::open(std::filesystem::current_path());
  const auto gc =
      workspace::plan_remote_gc(context, kept_selection(arguments), arguments.remote, grace);
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
  output.say(
      "Unreferenced on " + gc.remote_url + ": " + std::to_string(plan.packs.size()) + " pack(s) (" +
      human_bytes(plan.bytes) + "), " + std::to_string(plan.manifests.size()) + " manifest(s), " +
      std::to_string(plan.dirs.size()) + " dir listing(s), " + std::to_string(plan.bundles.size()) +
      " folder bundle(s), " + std::to_string(plan.temporaries.size()) +
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
    for (const auto& id : plan.bundles) {
      output.say("  bundle " + id);
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
  json.key("temporaries").begin_array();
  for (const auto& temporary : plan.temporaries) {
    json.value(temporary.path);
  }
  json.end_array().key("temporary_bytes").value(plan.temporary_bytes);
  json.key("unpushed").begin_array();
  for (const auto& model : plan.unpushed) {
    json.begin_object().key("path").value(model.path).key("sha256").value(model.id);
    json.key("refs").begin_array();
    for (const auto& ref : model.refs) {
      json.value(ref);
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.str();
}

// "  models/m.bin (branch exp, tag v2)" per model.
std::string unpushed_list(const workspace::GcPlan& plan) {
  std::string list;
  for (const auto& model : plan.unpushed) {
    std::string refs;
    for (const auto& ref : model.refs) {
      refs += (refs.empty() ? "" : ", ") + ref;
    }
    list += "\n  " + model.path + " (" + refs + ")";
  }
  return list;
}

// Why they count as unpushed: the remote lacks them, or no remote could say.
std::string where_unpushed(const workspace::GcPlan& plan) {
  if (plan.remote_error.empty()) {
    return "that remote " + plan.remote + " lacks, so this cache holds the only copy";
  }
  return "that no remote could be asked about (" + plan.remote_error +
         "), so this cache may hold the only copy";
}

// `mlv push --rev X` for each ref that names an unpushed model.
std::string push_command(const workspace::GcPlan& plan) {
  std::set<std::string> revisions;
  for (const auto& model : plan.unpushed) {
    for (const auto& ref : model.refs) {
      revisions.insert(ref.substr(ref.find(' ') + 1)); // "branch exp" -> "exp"
    }
  }
  std::string command = "mlv push";
  for (const auto& revision : revisions) {
    command += " --rev " + revision;
  }
  return command;
}

// With --workspace, models that only other branches, tags or stash entries name and that no
// remote holds would be lost: named, and refused unless --force.
void guard_unpushed(const GcArguments& arguments,
                    const workspace::GcPlan& plan,
                    const Output& output) {
  if (plan.unpushed.empty()) {
    return;
  }
  const auto what = std::to_string(plan.unpushed.size()) +
                    " model(s) that other branches, tags or stash entries name and " +
                    where_unpushed(plan) + ":" + unpushed_list(plan);
  if (arguments.force || arguments.dry_run) {
    output.note("warning: gc --workspace " +
                std::string(arguments.dry_run ? "would delete " : "deletes ") + what);
    return;
  }
  throw Error(Failure::conflict, "gc --workspace would delete " + what,
              "push them first (`" + push_command(plan) +
                  "`), run gc without --workspace to keep them, or re-run with --force to "
                  "delete them");
}

} // namespace

void register_gc(CLI::App& app, Output& output) {
  auto arguments = std::make_shared<GcArguments>();
  auto* command = app.add_subcommand(
      "gc", "Remove cache (or, with -r, remote) objects that no kept pointer names");
  command->add_flag("-w,--workspace", arguments->workspace_only,
                    "Keep only what the workspace (and the options below) names, not every "
                    "local branch, tag and stash entry; refuses to delete unpushed models of "
                    "other branches without --force");
  command->add_flag("-a,--all-branches", arguments->selection.all_branches,
                    "Keep what every local branch tip names (the default without -w)");
  command->add_flag("-T,--all-tags", arguments->selection.all_tags,
                    "Keep what every tagged commit names (the default without -w)");
  command->add_flag("-A,--all-commits", arguments->selection.all_commits,
                    "Keep what any commit names");
  command->add_option("--rev", arguments->selection.revisions,
                      "Keep what this revision names (repeatable)");
  command->add_flag("-n,--dry-run", arguments->dry_run, "Only list what would be removed");
  command->add_flag("-f,--force", arguments->force,
                    "Do not ask for confirmation; with -w, delete unpushed models of other "
                    "branches too");
  command->add_flag("--json", output.json, "Print the plan as JSON");
  command->add_option("-r,--remote", arguments->remote,
                      "Collect this remote's packs, manifests and dir listings instead of the "
                      "cache");
  command->add_option("--grace", arguments->grace,
                      "Keep what is newer than this: with -r, remote objects whatever names "
                      "them; else temporaries in the cache's tmp/ (default 24h)");
  command->callback([arguments, &output] {
    if (!arguments->remote.empty()) {
      run_remote_gc(*arguments, output);
      return;
    }
    const auto grace = parse_duration(arguments->grace);
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto plan = workspace::plan_gc(context, kept_selection(*arguments), grace);
    if (plan.empty()) {
      output.say("Nothing to remove: every cached object is named by a kept pointer.");
      output.emit_json(plan_json(plan, false));
      return;
    }
    const auto temporaries = plan.temporaries.empty()
                                 ? std::string()
                                 : "; " + std::to_string(plan.temporaries.size()) +
                                       " temporary file(s) (" + human_bytes(plan.temporary_bytes) +
                                       ") older than " + arguments->grace +
                                       " left in the cache's tmp/ by interrupted commands";
    output.say("Unreferenced: " + std::to_string(plan.files.size()) + " file(s) (" +
               human_bytes(plan.bytes - plan.temporary_bytes) + "), " +
               std::to_string(plan.manifests.size()) + " manifest(s), " +
               std::to_string(plan.dirs.size()) + " dir listing(s)" + temporaries);
    if (output.verbose || arguments->dry_run) {
      for (const auto& id : plan.files) {
        output.say("  file " + id);
      }
      for (const auto& id : plan.dirs) {
        output.say("  dir " + id);
      }
      for (const auto& temporary : plan.temporaries) {
        output.say("  temporary tmp/" + temporary.path);
      }
    }
    guard_unpushed(*arguments, plan, output);
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
