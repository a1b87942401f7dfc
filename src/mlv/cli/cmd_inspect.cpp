#include <mlv/cli/commands.hpp>
#include <mlv/cli/table.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/workspace/inspect_target.hpp>

#include <algorithm>

namespace mlv::cli {

namespace {

// Without --all, long tables, lists and texts are cut to these.
constexpr std::size_t k_rows_shown = 20;
constexpr std::size_t k_list_items_shown = 8;
constexpr std::size_t k_text_chars_shown = 100;

struct InspectArguments {
  std::string path;
  bool all = false;
};

// One line, however the file's text was laid out, and cut unless --all.
std::string one_line(std::string text, bool all) {
  std::string out;
  for (const char c : text) {
    out += c == '\n' ? std::string("\\n") : c == '\t' ? std::string(" ") : std::string(1, c);
  }
  if (!all && out.size() > k_text_chars_shown) {
    // Cut at a UTF-8 character boundary.
    std::size_t cut = k_text_chars_shown;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out = out.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
  }
  return out;
}

std::string shown_value(const inspect::Value& value, bool all) {
  if (const auto* items = std::get_if<std::vector<std::string>>(&value);
      items != nullptr && !all && items->size() > k_list_items_shown) {
    std::vector<std::string> first(items->begin(), items->begin() + k_list_items_shown);
    return one_line(inspect::value_text(first), false) + ", ... and " +
           std::to_string(items->size() - k_list_items_shown) + " more";
  }
  return one_line(inspect::value_text(value), all);
}

std::string padded(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

// Rows of columns, each column as wide as its widest cell, indented by two spaces.
void print_table(const Output& output, const std::vector<std::vector<std::string>>& rows) {
  Table table;
  for (const auto& row : rows) {
    table.add(row);
  }
  for (const auto& line : table.lines("  ")) {
    output.say(line);
  }
}

void print_more(const Output& output, std::size_t total, bool all) {
  if (!all && total > k_rows_shown) {
    output.say("  ... and " + std::to_string(total - k_rows_shown) + " more (--all lists them)");
  }
}

void print_tensors(const Output& output,
                   const std::string& title,
                   const std::vector<inspect::Tensor>& tensors,
                   bool all) {
  if (tensors.empty()) {
    return;
  }
  output.say(title + " (" + std::to_string(tensors.size()) + "):");
  // Graph inputs and outputs have no stored bytes: no column for them.
  const bool any_bytes = std::any_of(tensors.begin(), tensors.end(),
                                     [](const inspect::Tensor& tensor) { return tensor.bytes; });
  std::vector<std::vector<std::string>> rows = {{"NAME", "DTYPE", "SHAPE"}};
  if (any_bytes) {
    rows.front().push_back("BYTES");
  }
  for (std::size_t i = 0; i < tensors.size() && (all || i < k_rows_shown); ++i) {
    const auto& tensor = tensors[i];
    rows.push_back(
        {one_line(tensor.name, all), tensor.dtype.empty() ? "-" : tensor.dtype,
         tensor.shape.empty() && tensor.dtype.empty() ? "-" : inspect::shape_text(tensor.shape)});
    if (any_bytes) {
      rows.back().push_back(tensor.bytes ? std::to_string(*tensor.bytes) : "-");
    }
  }
  print_table(output, rows);
  print_more(output, tensors.size(), all);
}

void print_fields(const Output& output,
                  const std::vector<inspect::Field>& fields,
                  std::size_t key_width,
                  bool all) {
  for (const auto& field : fields) {
    output.say(padded(field.key, key_width) + "  " + shown_value(field.value, all));
  }
}

// What the tensor table lists, in the words of each format.
std::string tensors_title(const std::string& format) {
  if (format == "pytorch") {
    return "tensor records";
  }
  if (format == "onnx") {
    return "initializers";
  }
  return format == "numpy" ? "arrays" : "tensors";
}

std::vector<inspect::Field> source_fields(const workspace::InspectTarget& target) {
  std::vector<inspect::Field> fields = {{"source", workspace::source_name(target.source)}};
  if (!target.pointer.empty()) {
    fields.push_back({"pointer", target.pointer.string()});
    fields.push_back({"sha256", target.id});
  }
  return fields;
}

void print_inspection(const Output& output,
                      const workspace::InspectTarget& target,
                      const inspect::Inspection& inspection,
                      bool all) {
  std::size_t key_width = std::string("format").size();
  for (const auto& field : inspection.facts) {
    key_width = std::max(key_width, field.key.size());
  }
  std::vector<inspect::Field> head = {{"format", inspection.format}};
  switch (target.source) {
  case workspace::InspectTarget::Source::path:
    head.push_back({"path", inspection.path});
    break;
  case workspace::InspectTarget::Source::workspace:
    head.push_back(
        {"path", inspection.path + " (the workspace data of " + target.pointer.string() + ")"});
    break;
  case workspace::InspectTarget::Source::cache:
    head.push_back({"path", "cache object " + target.id + " (named by " + target.pointer.string() +
                                "; not in the workspace)"});
    break;
  }
  head.push_back(
      {"size", human_bytes(inspection.size) + " (" + std::to_string(inspection.size) + " bytes)"});
  print_fields(output, head, key_width, true);
  print_fields(output, inspection.facts, key_width, all);
  print_tensors(output, "inputs", inspection.inputs, all);
  print_tensors(output, "outputs", inspection.outputs, all);
  print_tensors(output, tensors_title(inspection.format), inspection.tensors, all);
  if (!inspection.metadata.empty()) {
    output.say("metadata (" + std::to_string(inspection.metadata.size()) + "):");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < inspection.metadata.size() && (all || i < k_rows_shown); ++i) {
      rows.push_back({one_line(inspection.metadata[i].key, all),
                      shown_value(inspection.metadata[i].value, all)});
    }
    print_table(output, rows);
    print_more(output, inspection.metadata.size(), all);
  }
  if (!inspection.classes.empty()) {
    output.say("classes (" + std::to_string(inspection.classes.size()) +
               "): " + shown_value(inspection.classes, all));
  }
  print_tensors(output, "arrays", inspection.arrays, all);
}

} // namespace

void register_inspect(CLI::App& app, Output& output) {
  auto arguments = std::make_shared<InspectArguments>();
  auto* command = app.add_subcommand(
      "inspect", "Show what a model file's format records (read only; never loads or runs it)");
  command
      ->add_option("path", arguments->path,
                   "A model file or folder, or a PATH.mlv pointer (its workspace data, else its "
                   "cache object)")
      ->required();
  command->add_flag("--all", arguments->all, "List every tensor, metadata key and list item");
  command->add_flag("--json", output.json, "Print the whole inspection as JSON");
  command->callback([arguments, &output] {
    const auto target = workspace::resolve_inspect_target(arguments->path);
    const auto inspection = inspect::inspect_path(target.read, target.file_name);
    print_inspection(output, target, inspection, arguments->all);
    output.emit_json(inspect::inspection_json(inspection, source_fields(target)));
  });
}

} // namespace mlv::cli
