#include <mlv/cli/commands.hpp>
#include <mlv/cli/history_text.hpp>
#include <mlv/cli/table.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/util/json.hpp>
#include <mlv/util/time_text.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

git::Repository open_repository() {
  return git::Repository::discover(std::filesystem::current_path());
}

// Registry tags live in this clone until pushed; a version's data must reach the remote too.
void note_push(const Output& output, const std::string& tag, bool with_data) {
  output.note("The tag is local: share it with `git push origin " + tag +
              "` (or `git push --tags`)" +
              (with_data ? ", and the model's data with `mlv push --rev " + tag + "`." : "."));
}

std::string stages_text(const registry::Model& model) {
  std::string text;
  for (const auto* assignment : model.current_stages()) {
    text += (text.empty() ? "" : " ") + assignment->record.stage + "=" + assignment->record.version;
  }
  return text;
}

// Stages whose current assignment names `version`.
std::string stages_of(const registry::Model& model, const std::string& version) {
  std::string text;
  for (const auto* assignment : model.current_stages()) {
    if (assignment->record.version == version) {
      text += (text.empty() ? "" : " ") + assignment->record.stage;
    }
  }
  return text;
}

void register_register(CLI::App& group, Output& output) {
  struct Arguments {
    registry::RegisterRequest request;
    std::string path;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = group.add_subcommand(
      "register", "Register a version: an annotated tag NAME@VERSION on the commit of the pointer");
  command->add_option("name", arguments->request.model, "Model name")->required();
  command->add_option("version", arguments->request.version, "Semantic version, e.g. 1.2.0")
      ->required();
  auto* path = command->add_option("--path", arguments->path,
                                   "The model's path (default: its last version's path)");
  command->add_option("--rev", arguments->request.revision,
                      "Commit, branch or tag holding the pointer (default HEAD)");
  command->add_option("-m,--message", arguments->request.message, "What this version is");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([arguments, path, &output] {
    auto request = arguments->request;
    if (path->count() > 0) {
      request.path = arguments->path;
    }
    auto repository = open_repository();
    const auto tag = registry::register_version(repository, request);
    output.say("registered " + tag.record.model + " " + tag.record.version + ": " +
               tag.record.path + " (" + short_id(tag.record.sha256) + ", " +
               human_bytes(tag.record.size) + ") at commit " + short_id(tag.commit) + " as tag " +
               tag.tag);
    note_push(output, tag.tag, true);
    util::JsonWriter json;
    write_registry_tag(json, tag);
    output.emit_json(json.str());
  });
}

void register_promote(CLI::App& group, Output& output) {
  struct Arguments {
    std::string model;
    std::string version;
    std::string stage;
    std::string message;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = group.add_subcommand(
      "promote", "Assign a registered version to a stage (an older version rolls back)");
  command->add_option("name", arguments->model, "Model name")->required();
  command->add_option("version", arguments->version, "A registered version")->required();
  command->add_option("stage", arguments->stage, "Stage, e.g. staging or production")->required();
  command->add_option("-m,--message", arguments->message, "Why");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([arguments, &output] {
    auto repository = open_repository();
    const auto result = registry::promote(repository, arguments->model, arguments->version,
                                          arguments->stage, arguments->message);
    const auto& record = result.assignment.record;
    if (result.changed) {
      output.say(record.model + " " + record.version + " is now in " + record.stage + " (tag " +
                 result.assignment.tag + ")");
      note_push(output, result.assignment.tag, false);
    } else {
      output.say(record.model + " " + record.version + " is already in " + record.stage + " (tag " +
                 result.assignment.tag + "); nothing to do");
    }
    util::JsonWriter json;
    json.begin_object().key("changed").value(result.changed).key("assignment");
    write_registry_tag(json, result.assignment);
    json.end_object();
    output.emit_json(json.str());
  });
}

void register_list(CLI::App& group, Output& output) {
  auto* command = group.add_subcommand("list", "Registered models: latest version and stages");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([&output] {
    const auto models = registry::load_models(open_repository());
    if (models.empty()) {
      output.say("No model is registered: `mlv model register NAME VERSION --path PATH` "
                 "registers one.");
    }
    Table table;
    table.add({"NAME", "LATEST", "VERSIONS", "STAGES"});
    util::JsonWriter json;
    json.begin_array();
    for (const auto& model : models) {
      const auto* latest = model.latest_version();
      const auto latest_text = latest ? latest->record.version : "";
      table.add(
          {model.name, latest_text, std::to_string(model.versions.size()), stages_text(model)});
      json.begin_object().key("name").value(model.name).key("latest").value(latest_text);
      json.key("versions").begin_array();
      for (const auto& version : model.versions) {
        json.value(version.record.version);
      }
      json.end_array().key("stages").begin_object();
      for (const auto* assignment : model.current_stages()) {
        json.key(assignment->record.stage).value(assignment->record.version);
      }
      json.end_object().end_object();
    }
    json.end_array();
    if (!models.empty()) {
      for (const auto& line : table.lines()) {
        output.say(line);
      }
    }
    output.emit_json(json.str());
  });
}

void print_model(const Output& output, const registry::Model& model) {
  output.say("model " + model.name);
  Table versions;
  versions.add({"VERSION", "COMMIT", "PATH", "SHA256", "SIZE", "REGISTERED", "STAGES", "MESSAGE"});
  for (const auto& version : model.versions) {
    const auto& record = version.record;
    versions.add({record.version, short_id(version.commit), record.path, short_id(record.sha256),
                  human_bytes(record.size), util::iso8601_utc(version.time),
                  stages_of(model, record.version), record.message});
  }
  output.say("versions:");
  for (const auto& line : versions.lines("  ")) {
    output.say(line);
  }
  if (model.assignments.empty()) {
    output.say("stages: none (`mlv model promote " + model.name + " VERSION STAGE`)");
    return;
  }
  Table history;
  history.add({"DATE", "STAGE", "VERSION", "TAG", "BY", "MESSAGE"});
  for (const auto& assignment : model.assignments) {
    const auto& record = assignment.record;
    history.add({util::iso8601_utc(assignment.time), record.stage, record.version, assignment.tag,
                 assignment.tagger, record.message});
  }
  output.say("stages: " + stages_text(model));
  output.say("promotions, oldest first:");
  for (const auto& line : history.lines("  ")) {
    output.say(line);
  }
}

std::string model_json(const registry::Model& model) {
  util::JsonWriter json;
  json.begin_object().key("name").value(model.name).key("versions").begin_array();
  for (const auto& version : model.versions) {
    write_registry_tag(json, version);
  }
  json.end_array().key("stages").begin_object();
  for (const auto* assignment : model.current_stages()) {
    json.key(assignment->record.stage);
    write_registry_tag(json, *assignment);
  }
  json.end_object().key("history").begin_array();
  for (const auto& assignment : model.assignments) {
    write_registry_tag(json, assignment);
  }
  json.end_array().end_object();
  return json.str();
}

void register_show_model(CLI::App& group, Output& output) {
  auto name = std::make_shared<std::string>();
  auto* command =
      group.add_subcommand("show", "A model's versions, current stages and promotion history");
  command->add_option("name", *name, "Model name")->required();
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([name, &output] {
    const auto model = registry::load_model(open_repository(), *name);
    print_model(output, model);
    output.emit_json(model_json(model));
  });
}

} // namespace

void register_model(CLI::App& app, Output& output) {
  auto* group = app.add_subcommand(
      "model", "The model registry: versions and stages as git tags (docs/registry.md)");
  group->require_subcommand(1);
  register_register(*group, output);
  register_promote(*group, output);
  register_list(*group, output);
  register_show_model(*group, output);
}

} // namespace mlv::cli
