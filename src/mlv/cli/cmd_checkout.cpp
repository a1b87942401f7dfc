#include <mlv/cli/commands.hpp>
#include <mlv/workspace/checkout.hpp>

#include <filesystem>

namespace mlv::cli {

void print_checkout(const Output& output, const std::vector<workspace::CheckoutResult>& results) {
  std::size_t updated = 0;
  for (const auto& result : results) {
    if (result.updated) {
      ++updated;
      if (output.verbose) {
        output.say("checked out " + result.data_path + " (" + result.link + ")");
      }
    }
  }
  output.say(std::to_string(updated) + " updated, " + std::to_string(results.size() - updated) +
             " already up to date");
}

void register_checkout(CLI::App& app, Output& output) {
  auto targets = std::make_shared<std::vector<std::string>>();
  auto options = std::make_shared<workspace::CheckoutOptions>();
  auto* command =
      app.add_subcommand("checkout", "Put tracked files in the workspace from the cache");
  command->add_option("targets", *targets, "Tracked paths or folders (default: all)");
  command->add_flag("-f,--force", options->force,
                    "Overwrite workspace content not saved in the cache");
  add_allow_unsafe_flag(*command, options->safety, output);
  command->callback([targets, options, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto tracked = workspace::workspace_pointers(context, *targets);
    auto with_progress = *options;
    with_progress.progress = output.progress("checkout", Output::Meter::files);
    const auto results = workspace::checkout(context, tracked, with_progress);
    output.end_progress();
    print_checkout(output, results);
    context.finish();
  });
}

} // namespace mlv::cli
