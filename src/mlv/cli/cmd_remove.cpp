#include <mlv/cli/commands.hpp>
#include <mlv/workspace/remove.hpp>

#include <filesystem>

namespace mlv::cli {

void register_remove(CLI::App& app, Output& output) {
  auto targets = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "remove", "Stop tracking paths (pointer and .gitignore entry go; data stays)");
  command->add_option("targets", *targets, "Tracked paths or their pointers")->required();
  command->callback([targets, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    for (const auto& target : *targets) {
      output.say("stopped tracking " + workspace::remove(context, target) +
                 " (the data file is kept)");
    }
  });
}

} // namespace mlv::cli
