#include <mlv/cli/commands.hpp>
#include <mlv/workspace/context.hpp>

#include <filesystem>

namespace mlv::cli {

void register_init(CLI::App& app, Output& output) {
  auto* command = app.add_subcommand("init", "Set up mlv in the current git repository");
  command->callback([&output] {
    const auto root = workspace::init(std::filesystem::current_path());
    output.say("Initialised mlv in " + root.string() + " (commit .mlv/config and .mlv/.gitignore)");
  });
}

} // namespace mlv::cli
