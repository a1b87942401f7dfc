#include <mlv/cli/commands.hpp>
#include <mlv/cli/history_text.hpp>
#include <mlv/cli/table.hpp>
#include <mlv/history/log.hpp>
#include <mlv/pointer/meta_values.hpp>
#include <mlv/util/json.hpp>
#include <mlv/util/time_text.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

std::string tags_text(const std::vector<registry::RegistryTag>& tags) {
  std::string text;
  for (const auto& tag : tags) {
    text += (text.empty() ? "" : " ") + tag.tag;
  }
  return text;
}

void print_log(const Output& output, const history::LogResult& result) {
  output.say(result.data_path + " (pointer " + result.pointer_path + "), newest first");
  Table table;
  table.add({"COMMIT", "DATE", "AUTHOR", "SHA256", "SIZE", "METRICS", "TAGS"});
  for (const auto& entry : result.entries) {
    const auto& pointer = entry.pointer;
    table.add({short_id(entry.commit.id), util::iso8601_utc(entry.commit.author_time),
               entry.commit.author, pointer ? short_id(pointer->sha256) : "(removed)",
               pointer ? human_bytes(pointer->size) : "", pointer ? metrics_line(*pointer) : "",
               tags_text(entry.tags)});
  }
  for (const auto& line : table.lines()) {
    output.say(line);
  }
}

std::string log_json(const history::LogResult& result) {
  util::JsonWriter json;
  json.begin_object().key("path").value(result.data_path).key("pointer").value(result.pointer_path);
  json.key("versions").begin_array();
  for (const auto& entry : result.entries) {
    const auto& commit = entry.commit;
    json.begin_object().key("commit").value(commit.id);
    json.key("date").value(util::iso8601_utc(commit.author_time));
    json.key("author").value(commit.author).key("email").value(commit.author_email);
    json.key("summary").value(commit.summary);
    json.key("removed").value(!entry.pointer.has_value());
    if (const auto& pointer = entry.pointer) {
      json.key("sha256").value(pointer->sha256).key("size").value(pointer->size);
      json.key("format").value(pointer->format);
      json.key("metrics");
      write_flat_json(json, meta_value(*pointer, "metrics"));
      json.key("params");
      write_flat_json(json, meta_value(*pointer, "params"));
    }
    json.key("tags").begin_array();
    for (const auto& tag : entry.tags) {
      write_registry_tag(json, tag);
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.str();
}

} // namespace

void register_log(CLI::App& app, Output& output) {
  struct Arguments {
    std::string path;
    std::string revision = "HEAD";
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = app.add_subcommand(
      "log", "Each version of one model through git history, with its registry tags");
  command->add_option("path", arguments->path, "The model's path or its pointer's")->required();
  command->add_option("--rev", arguments->revision,
                      "Follow the history of this commit, branch or tag (default HEAD)");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([arguments, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto result = history::log(context, arguments->path, arguments->revision);
    print_log(output, result);
    output.emit_json(log_json(result));
  });
}

} // namespace mlv::cli
