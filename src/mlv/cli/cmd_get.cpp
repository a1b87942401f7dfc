#include <mlv/cli/commands.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/get.hpp>

namespace mlv::cli {

void register_get(CLI::App& app, Output& output) {
  struct Arguments {
    std::vector<std::string> positional;
    workspace::GetRequest request;
    std::string output_path;
    std::string remote;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command =
      app.add_subcommand("get", "Write a tracked file at a revision to OUT, verified (for CI)");
  command
      ->add_option("repo_and_path", arguments->positional,
                   "[REPO] PATH: a local git repository (default: the current one) and the tracked "
                   "path in it")
      ->required()
      ->expected(1, 2);
  command->add_option("-o,--out", arguments->output_path, "Where to write the file")->required();
  command->add_option("--rev", arguments->request.revision, "Commit, branch or tag (default HEAD)");
  command->add_option("-r,--remote", arguments->remote,
                      "Remote name (default: the repository's default)");
  command->add_option("-j,--jobs", arguments->request.jobs, "Parallel transfers");
  command->add_flag("-f,--force", arguments->request.force, "Replace OUT if it exists");
  add_allow_unsafe_flag(*command, arguments->request.safety, output);
  command->add_flag("--json", output.json, "Print a summary as JSON");
  command->callback([arguments, &output] {
    auto request = arguments->request;
    if (arguments->positional.size() == 2) {
      request.repository = arguments->positional[0];
      request.path = arguments->positional[1];
    } else {
      request.path = arguments->positional[0];
    }
    request.output = arguments->output_path;
    if (!arguments->remote.empty()) {
      request.remote = arguments->remote;
    }
    request.progress = output.progress("get");
    const auto result = workspace::get(request);
    output.end_progress();
    output.say("wrote " + arguments->output_path + " (" + result.kind + ", " +
               human_bytes(result.size) + ", sha256 " + result.id + ")");
    util::JsonWriter json;
    json.begin_object().key("output").value(arguments->output_path).key("kind").value(result.kind);
    json.key("sha256").value(result.id).key("size").value(result.size);
    json.key("transfer").raw(stats_json(result.stats)).end_object();
    output.emit_json(json.str());
  });
}

} // namespace mlv::cli
