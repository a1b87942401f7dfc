#include <mlv/cli/commands.hpp>
#include <mlv/cli/history_text.hpp>
#include <mlv/cli/table.hpp>
#include <mlv/history/show.hpp>
#include <mlv/pointer/meta_values.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/metadata.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

// meta without the keys `show` reports in their own sections.
YAML::Node other_meta(const YAML::Node& meta) {
  YAML::Node rest(YAML::NodeType::Map);
  if (meta && meta.IsMap()) {
    for (const auto& entry : meta) {
      const auto key = entry.first.Scalar();
      if (key != "metrics" && key != "params" && key != workspace::k_added_key) {
        rest[key] = entry.second;
      }
    }
  }
  return rest;
}

std::string added_text(const YAML::Node& added) {
  if (!added || !added.IsMap()) {
    return "(not recorded)";
  }
  std::string text = added["at"] ? added["at"].Scalar() : "?";
  if (added["mlv_version"]) {
    text += " by mlv " + added["mlv_version"].Scalar();
  }
  if (added["git_commit"]) {
    text += ", workspace at commit " + short_id(added["git_commit"].Scalar());
  }
  return text;
}

std::string safety_text(const YAML::Node& safety) {
  if (!safety || !safety.IsMap()) {
    return "not scanned";
  }
  return safety["verdict"] ? pointer::display_text(safety["verdict"]) : "(no verdict)";
}

void print_section(const Output& output,
                   const std::string& title,
                   const YAML::Node& map,
                   bool flat) {
  if (!map || !map.IsMap() || map.size() == 0) {
    return;
  }
  output.say(title + ":");
  if (!flat) {
    for (const auto& line : yaml_lines(map, "  ")) {
      output.say(line);
    }
    return;
  }
  Table table;
  for (const auto& [key, value] : pointer::flatten(map)) {
    table.add({key, pointer::display_text(value)});
  }
  for (const auto& line : table.lines("  ")) {
    output.say(line);
  }
}

void print_shown(const Output& output, const history::Shown& shown) {
  const auto& pointer = shown.pointer;
  output.say(shown.data_path + " (" + shown.source +
             (shown.commit ? " = commit " + short_id(*shown.commit) : "") + ", pointer " +
             shown.pointer_path + ")");
  Table facts;
  facts.add({"kind", std::string(pointer::kind_name(pointer.kind)) +
                         (pointer.files ? " (" + std::to_string(*pointer.files) + " files)" : "")});
  facts.add({"sha256", pointer.sha256});
  facts.add({"size", human_bytes(pointer.size) + " (" + std::to_string(pointer.size) + " bytes)"});
  facts.add({"format", pointer.format});
  facts.add({"added", added_text(meta_value(pointer, workspace::k_added_key))});
  facts.add({"safety", safety_text(pointer.safety)});
  for (const auto& line : facts.lines("  ")) {
    output.say(line);
  }
  print_section(output, "metrics", meta_value(pointer, "metrics"), true);
  print_section(output, "params", meta_value(pointer, "params"), true);
  print_section(output, "meta", other_meta(pointer.meta), false);
  print_section(output, "summary", pointer.summary, false);
  print_section(output, "safety", pointer.safety, false);
  print_section(output, "other", pointer.extra, false);
}

void write_map_or_null(util::JsonWriter& json, const YAML::Node& map) {
  if (map && map.IsMap()) {
    pointer::write_json(json, map);
  } else {
    json.null();
  }
}

std::string shown_json(const history::Shown& shown) {
  const auto& pointer = shown.pointer;
  util::JsonWriter json;
  json.begin_object().key("path").value(shown.data_path).key("pointer").value(shown.pointer_path);
  json.key("source").value(shown.source).key("commit");
  shown.commit ? json.value(*shown.commit) : json.null();
  json.key("kind").value(std::string(pointer::kind_name(pointer.kind)));
  json.key("sha256").value(pointer.sha256).key("size").value(pointer.size);
  if (pointer.files) {
    json.key("files").value(*pointer.files);
  }
  json.key("format").value(pointer.format);
  json.key("added");
  write_map_or_null(json, meta_value(pointer, workspace::k_added_key));
  json.key("metrics");
  write_flat_json(json, meta_value(pointer, "metrics"));
  json.key("params");
  write_flat_json(json, meta_value(pointer, "params"));
  json.key("meta");
  write_map_or_null(json, pointer.meta);
  json.key("summary");
  write_map_or_null(json, pointer.summary);
  json.key("safety");
  write_map_or_null(json, pointer.safety);
  json.key("other");
  write_map_or_null(json, pointer.extra);
  json.end_object();
  return json.str();
}

} // namespace

void register_show(CLI::App& app, Output& output) {
  struct Arguments {
    std::string target;
    std::string revision;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = app.add_subcommand(
      "show", "Show a tracked model's pointer: id, size, format, metadata, summary and safety");
  command->add_option("target", arguments->target, "The model's path or its pointer's")->required();
  auto* revision = command->add_option("--rev", arguments->revision,
                                       "Read the pointer at this commit, branch or tag");
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([arguments, revision, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto shown =
        history::show(context, arguments->target,
                      revision->count() > 0 ? std::optional(arguments->revision) : std::nullopt);
    print_shown(output, shown);
    output.emit_json(shown_json(shown));
  });
}

} // namespace mlv::cli
