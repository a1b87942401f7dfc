#include <mlv/cli/commands.hpp>
#include <mlv/cli/folder_changes_text.hpp>
#include <mlv/cli/history_text.hpp>
#include <mlv/cli/table.hpp>
#include <mlv/history/diff.hpp>
#include <mlv/pointer/meta_values.hpp>
#include <mlv/util/json.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

std::string size_text(const history::DiffEntry& entry) {
  if (!entry.old_pointer) {
    return human_bytes(entry.new_pointer->size);
  }
  if (!entry.new_pointer) {
    return human_bytes(entry.old_pointer->size);
  }
  const auto old_size = entry.old_pointer->size;
  const auto new_size = entry.new_pointer->size;
  if (old_size == new_size) {
    return human_bytes(new_size);
  }
  return human_bytes(old_size) + " -> " + human_bytes(new_size) + " (" +
         size_delta_text(old_size, new_size) + ")";
}

std::string id_text(const history::DiffEntry& entry) {
  if (entry.old_pointer && entry.new_pointer &&
      entry.old_pointer->sha256 != entry.new_pointer->sha256) {
    return short_id(entry.old_pointer->sha256) + " -> " + short_id(entry.new_pointer->sha256);
  }
  return short_id(entry.new_pointer ? entry.new_pointer->sha256 : entry.old_pointer->sha256);
}

void add_value_rows(Table& table,
                    const std::vector<history::ValueChange>& changes,
                    const std::string& prefix) {
  for (const auto& change : changes) {
    table.add({prefix + change.key,
               change.old_value.value_or("(none)") + " -> " + change.new_value.value_or("(none)"),
               change.delta_text ? "(" + *change.delta_text + ")" : ""});
  }
}

// One aligned row per model, each followed by its changed metrics and params.
void print_diff(const Output& output, const history::DiffResult& result) {
  if (result.entries.empty()) {
    output.say("No model changed between " + result.old_label + " and " + result.new_label + ".");
    return;
  }
  output.say(result.old_label + " -> " + result.new_label);
  Table models;
  models.add({"PATH", "CHANGE", "SIZE", "SHA256"});
  for (const auto& entry : result.entries) {
    models.add({entry.path, history::change_name(entry.change), size_text(entry), id_text(entry)});
  }
  const auto lines = models.lines();
  output.say(lines.front());
  for (std::size_t i = 0; i < result.entries.size(); ++i) {
    output.say(lines[i + 1]);
    Table values;
    add_value_rows(values, result.entries[i].metrics, "");
    add_value_rows(values, result.entries[i].params, "param ");
    for (const auto& line : values.lines("    ")) {
      output.say(line);
    }
    for (const auto& line :
         folder_change_lines("    ", result.entries[i].path, result.entries[i].files)) {
      output.say(line);
    }
  }
}

void write_side(util::JsonWriter& json, const std::optional<pointer::Pointer>& pointer) {
  if (!pointer) {
    json.null();
    return;
  }
  json.begin_object().key("sha256").value(pointer->sha256).key("size").value(pointer->size);
  json.key("kind").value(std::string(pointer::kind_name(pointer->kind)));
  json.key("format").value(pointer->format).end_object();
}

void write_values(util::JsonWriter& json, const std::vector<history::ValueChange>& changes) {
  json.begin_object();
  for (const auto& change : changes) {
    json.key(change.key).begin_object().key("old");
    change.old_value ? pointer::write_json(json, change.old_node) : void(json.null());
    json.key("new");
    change.new_value ? pointer::write_json(json, change.new_node) : void(json.null());
    if (change.delta) {
      json.key("delta").raw(pointer::number_text(*change.delta));
    }
    json.end_object();
  }
  json.end_object();
}

std::string diff_json(const history::DiffResult& result) {
  util::JsonWriter json;
  json.begin_object();
  json.key("old").begin_object().key("label").value(result.old_label).key("commit");
  result.old_commit ? json.value(*result.old_commit) : json.null();
  json.end_object();
  json.key("new").begin_object().key("label").value(result.new_label).key("commit");
  result.new_commit ? json.value(*result.new_commit) : json.null();
  json.end_object();
  json.key("changes").begin_array();
  for (const auto& entry : result.entries) {
    json.begin_object().key("path").value(entry.path).key("pointer").value(entry.pointer_path);
    json.key("change").value(history::change_name(entry.change));
    json.key("old");
    write_side(json, entry.old_pointer);
    json.key("new");
    write_side(json, entry.new_pointer);
    const auto old_size = entry.old_pointer ? entry.old_pointer->size : 0;
    const auto new_size = entry.new_pointer ? entry.new_pointer->size : 0;
    json.key("size_delta")
        .value(static_cast<std::int64_t>(new_size) - static_cast<std::int64_t>(old_size));
    json.key("metrics");
    write_values(json, entry.metrics);
    json.key("params");
    write_values(json, entry.params);
    write_folder_changes(json, "files", entry.files);
    json.end_object();
  }
  json.end_array().end_object();
  return json.str();
}

} // namespace

void register_diff(CLI::App& app, Output& output) {
  auto revisions = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "diff",
      "Models added, removed or changed between revisions (default: HEAD and the work tree)");
  command->add_option("revisions", *revisions, "[REV_A [REV_B]]: commits, branches or tags")
      ->expected(0, 2);
  command->add_flag("--json", output.json, "Print the result as JSON");
  command->callback([revisions, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto result = history::diff(context, *revisions);
    print_diff(output, result);
    output.emit_json(diff_json(result));
  });
}

} // namespace mlv::cli
