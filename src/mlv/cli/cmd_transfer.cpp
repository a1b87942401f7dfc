#include <mlv/cli/commands.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/sync.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

enum class Verb { push, fetch, pull };

struct TransferArguments {
  workspace::SyncRequest request;
  std::string remote;
  workspace::CheckoutOptions checkout; // pull only
};

void add_common_options(CLI::App& command, TransferArguments& arguments, Output& output) {
  command.add_option("targets", arguments.request.targets,
                     "Tracked paths or folders (default: all)");
  command.add_option("-r,--remote", arguments.remote, "Remote name (default: core.remote)");
  command.add_option("-j,--jobs", arguments.request.jobs,
                     "Parallel transfers (default: core.jobs)");
  command.add_option(
      "--rev", arguments.request.revisions.revisions,
      "Take pointers from this commit, branch or tag (repeatable), without a checkout");
  command.add_flag("--all-branches", arguments.request.revisions.all_branches,
                   "Pointers of every branch tip");
  command.add_flag("--all-tags", arguments.request.revisions.all_tags,
                   "Pointers of every tagged commit");
  command.add_flag("--all-commits", arguments.request.revisions.all_commits,
                   "Pointers of every commit");
  command.add_flag("--json", output.json, "Print a summary as JSON");
}

void print_summary(Output& output, const char* verb, const transfer::Stats& stats) {
  output.end_progress();
  output.say(std::string(verb) + ": " + std::to_string(stats.files_transferred) +
             " file(s) transferred, " + std::to_string(stats.files_skipped) + " already there; " +
             human_bytes(stats.bytes_sent) + " sent, " + human_bytes(stats.bytes_received) +
             " received, " + human_bytes(stats.bytes_reused) + " reused, in " +
             std::to_string(stats.seconds).substr(0, 5) + " s");
}

void register_verb(CLI::App& app, Output& output, Verb verb) {
  static constexpr const char* k_names[] = {"push", "fetch", "pull"};
  static constexpr const char* k_help[] = {
      "Upload tracked data the remote lacks (deduplicated chunks in packs)",
      "Download tracked data into the cache, verified", "Fetch, then check out into the workspace"};
  const auto index = static_cast<int>(verb);
  auto arguments = std::make_shared<TransferArguments>();
  auto* command = app.add_subcommand(k_names[index], k_help[index]);
  add_common_options(*command, *arguments, output);
  if (verb == Verb::push) {
    command->add_flag("--verify-remote", arguments->request.verify_remote,
                      "Read every pack the targets point into and check its hash; upload again "
                      "what is missing or damaged");
  }
  if (verb == Verb::pull) {
    command->add_flag("-f,--force", arguments->checkout.force,
                      "Overwrite workspace content not saved in the cache");
    add_allow_unsafe_flag(*command, arguments->checkout.safety, output);
  }
  command->callback([arguments, &output, verb, index] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    auto request = arguments->request;
    if (!arguments->remote.empty()) {
      request.remote = arguments->remote;
    }
    request.progress = output.progress(k_names[index]);
    if (verb == Verb::push) {
      const auto stats = workspace::push(context, request);
      print_summary(output, "push", stats);
      output.emit_json(stats_json(stats));
    } else if (verb == Verb::fetch) {
      const auto result = workspace::fetch(context, request);
      print_summary(output, "fetch", result.stats);
      output.emit_json(stats_json(result.stats));
      if (result.incomplete) {
        throw *result.incomplete;
      }
    } else {
      const auto result = workspace::pull(context, request, arguments->checkout);
      print_summary(output, "fetch", result.stats);
      print_checkout(output, result.checkout);
      output.emit_json(stats_json(result.stats));
      if (result.incomplete) {
        throw *result.incomplete;
      }
    }
    context.finish();
  });
}

} // namespace

void register_transfer(CLI::App& app, Output& output) {
  register_verb(app, output, Verb::push);
  register_verb(app, output, Verb::fetch);
  register_verb(app, output, Verb::pull);
}

} // namespace mlv::cli
