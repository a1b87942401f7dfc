#include <mlv/cli/commands.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/get.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

// `--model NAME --stage S` (or --version V): the registry tag's commit and pointer path.
workspace::GetRequest model_request(workspace::GetRequest request,
                                    const std::vector<std::string>& positional,
                                    const registry::Selector& selector,
                                    const Output& output) {
  if (positional.size() > 1) {
    throw Error(Failure::usage, "with --model, give only the repository (or nothing), not a PATH",
                "e.g. `mlv get . --model classifier --stage production -o model.onnx`");
  }
  const auto repository = git::Repository::discover(
      positional.empty() ? std::filesystem::current_path() : std::filesystem::path(positional[0]));
  const auto resolved = registry::resolve(repository, selector);
  request.repository = repository.work_dir().string();
  request.path = resolved.version.record.pointer;
  request.revision = resolved.version.commit;
  output.note("model " + selector.model + " " + resolved.version.record.version +
              (resolved.stage ? " (" + resolved.stage->tag + ")" : "") + ": " +
              resolved.version.record.path + " at commit " + resolved.version.commit.substr(0, 12));
  return request;
}

} // namespace

void register_get(CLI::App& app, Output& output) {
  struct Arguments {
    std::string repo;
    std::string path;
    workspace::GetRequest request;
    std::string output_path;
    std::string remote;
    std::string model; // --model NAME with --stage or --version
    std::string stage;
    std::string version;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command =
      app.add_subcommand("get", "Write a tracked file at a revision to OUT, verified (for CI)");
  // Two named positionals, so help reads `[REPO] [PATH]`; one word given is PATH (or, with
  // --model, REPO): see the callback.
  auto* repo = command->add_option(
      "REPO", arguments->repo,
      "A local git repository (default: the current one); when only one of REPO and PATH is "
      "given, it is PATH");
  auto* path = command->add_option("PATH", arguments->path,
                                   "The tracked path in the repository (not with --model)");
  command->add_option("-o,--out", arguments->output_path, "Where to write the file")->required();
  auto* revision = command->add_option("--rev", arguments->request.revision,
                                       "Commit, branch or tag (default HEAD)");
  auto* model =
      command->add_option("--model", arguments->model,
                          "A registered model instead of PATH (with --stage or --version)");
  model->excludes(revision);
  auto* stage =
      command->add_option("--stage", arguments->stage, "The model's version in this stage");
  auto* version = command->add_option("--version", arguments->version, "This version of the model");
  stage->needs(model);
  version->needs(model);
  stage->excludes(version);
  command->add_option("-r,--remote", arguments->remote,
                      "Remote name (default: the repository's default)");
  command->add_option("-j,--jobs", arguments->request.jobs, "Parallel transfers");
  command->add_flag("-f,--force", arguments->request.force, "Replace OUT if it exists");
  add_allow_unsafe_flag(*command, arguments->request.safety, output);
  command->add_flag("--json", output.json, "Print a summary as JSON");
  command->callback([arguments, repo, path, model, stage, version, &output] {
    std::vector<std::string> positional;
    if (repo->count() > 0) {
      positional.push_back(arguments->repo);
    }
    if (path->count() > 0) {
      positional.push_back(arguments->path);
    }
    auto request = arguments->request;
    if (model->count() > 0) {
      registry::Selector selector{arguments->model, std::nullopt, std::nullopt};
      if (stage->count() > 0) {
        selector.stage = arguments->stage;
      }
      if (version->count() > 0) {
        selector.version = arguments->version;
      }
      request = model_request(request, positional, selector, output);
    } else if (positional.size() == 2) {
      request.repository = positional[0];
      request.path = positional[1];
    } else if (positional.size() == 1) {
      request.path = positional[0];
    } else {
      throw Error(Failure::usage, "mlv get needs the tracked PATH, or --model NAME",
                  "e.g. `mlv get . models/net.onnx --rev v1.0 -o net.onnx`");
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
