#include <mlv/cli/commands.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/add.hpp>
#include <mlv/workspace/metadata.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

struct AddArguments {
  std::vector<std::string> paths;
  std::vector<std::string> meta;
  std::vector<std::string> metrics;
  std::vector<std::string> params;
  std::string metrics_file;
  std::string params_file;
  bool no_stage = false;
};

workspace::KeyValues parse_all(const std::vector<std::string>& texts, const std::string& option) {
  workspace::KeyValues values;
  for (const auto& text : texts) {
    values.push_back(workspace::parse_key_value(text, option));
  }
  return values;
}

std::string results_json(const std::vector<workspace::AddResult>& results) {
  util::JsonWriter json;
  json.begin_array();
  for (const auto& result : results) {
    json.begin_object()
        .key("path")
        .value(result.data_path)
        .key("pointer")
        .value(result.pointer_path)
        .key("kind")
        .value(result.kind)
        .key("sha256")
        .value(result.id)
        .key("size")
        .value(result.size);
    if (result.kind == "dir") {
      json.key("files").value(result.files);
    }
    json.key("format").value(result.format).key("safety").value(result.safety);
    json.key("changed").value(result.changed).end_object();
  }
  json.end_array();
  return json.str();
}

} // namespace

void register_add(CLI::App& app, Output& output) {
  auto arguments = std::make_shared<AddArguments>();
  auto* command = app.add_subcommand(
      "add", "Track model files or folders: cache them, write PATH.mlv pointers");
  command->add_option("paths", arguments->paths, "Files or folders to track")->required();
  command->add_option("--meta", arguments->meta, "Metadata KEY=VALUE (repeatable)");
  command->add_option("--metric", arguments->metrics,
                      "Metric KEY=VALUE, stored under meta.metrics");
  command->add_option("--param", arguments->params,
                      "Parameter KEY=VALUE, stored under meta.params");
  command->add_option("--metrics-file", arguments->metrics_file,
                      "JSON or YAML map that becomes meta.metrics (e.g. metrics.json)");
  command->add_option("--params-file", arguments->params_file,
                      "JSON or YAML map that becomes meta.params (e.g. params.yaml)");
  command->add_flag("--no-stage", arguments->no_stage,
                    "Do not stage pointers and .gitignore in git");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([arguments, &output] {
    workspace::AddOptions options;
    options.meta = parse_all(arguments->meta, "--meta");
    options.metrics = parse_all(arguments->metrics, "--metric");
    options.params = parse_all(arguments->params, "--param");
    if (!arguments->metrics_file.empty()) {
      options.metrics_file =
          workspace::read_metadata_file(arguments->metrics_file, "--metrics-file");
    }
    if (!arguments->params_file.empty()) {
      options.params_file = workspace::read_metadata_file(arguments->params_file, "--params-file");
    }
    options.stage = !arguments->no_stage;
    options.progress = output.progress("add", Output::Meter::files);
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto results = workspace::add(context, arguments->paths, options);
    output.end_progress();
    for (const auto& result : results) {
      output.say((result.changed ? "added " : "unchanged ") + result.data_path + " (" +
                 human_bytes(result.size) + ", " + result.format + ") -> " + result.pointer_path);
      if (!result.git_tracked.empty()) {
        const auto what =
            result.git_tracked.size() == 1
                ? result.git_tracked.front()
                : std::to_string(result.git_tracked.size()) + " files under " + result.data_path;
        output.note(options.stage ? "note: git no longer tracks " + what +
                                        " (as `git rm --cached`): mlv keeps its bytes, the "
                                        "workspace keeps the file; commit to record it"
                                  : "warning: git still tracks " + what +
                                        " and keeps its bytes; run `git rm -r --cached " +
                                        result.data_path + "`");
      }
      if (result.safety == "unsafe") {
        output.note("warning: loading " + result.data_path +
                    " would run code; checkout, pull and get will refuse it (`mlv scan " +
                    result.data_path + "` says why)");
      } else if (result.safety == "suspicious") {
        output.note("warning: the safety scan could not clear " + result.data_path +
                    "; checkout, pull and get will refuse it without --allow-suspicious " +
                    "(`mlv scan " + result.data_path + "` says why)");
      }
    }
    if (options.stage) {
      output.note("To track the changes with git, run: git commit -m \"Add models\"");
    }
    output.emit_json(results_json(results));
  });
}

} // namespace mlv::cli
