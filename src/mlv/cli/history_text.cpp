#include <mlv/cli/history_text.hpp>
#include <mlv/cli/output.hpp>
#include <mlv/pointer/meta_values.hpp>
#include <mlv/util/time_text.hpp>

namespace mlv::cli {

namespace {

constexpr std::size_t k_short_id_length = 12;
constexpr std::size_t k_max_list_items = 20; // --json shows every item

bool is_nested_sequence(const YAML::Node& node) {
  if (!node.IsSequence()) {
    return false;
  }
  for (const auto& item : node) {
    if (item.IsMap() || item.IsSequence()) {
      return true;
    }
  }
  return false;
}

void append_lines(const YAML::Node& map, const std::string& indent, std::vector<std::string>& out) {
  for (const auto& entry : map) {
    const auto key = pointer::display_text(entry.first);
    const auto& value = entry.second;
    if (value.IsMap() && value.size() > 0) {
      out.push_back(indent + key + ":");
      append_lines(value, indent + "  ", out);
    } else if (is_nested_sequence(value)) {
      out.push_back(indent + key + ":");
      std::size_t shown = 0;
      for (const auto& item : value) {
        if (shown++ == k_max_list_items) {
          out.push_back(indent + "  ... and " + std::to_string(value.size() - k_max_list_items) +
                        " more (--json shows all)");
          break;
        }
        out.push_back(indent + "  - " + pointer::display_text(item));
      }
    } else {
      out.push_back(indent + key + ": " + pointer::display_text(value));
    }
  }
}

} // namespace

std::string short_id(const std::string& id) {
  return id.substr(0, k_short_id_length);
}

std::string size_delta_text(std::uint64_t old_size, std::uint64_t new_size) {
  return new_size >= old_size ? "+" + human_bytes(new_size - old_size)
                              : "-" + human_bytes(old_size - new_size);
}

std::string metrics_line(const pointer::Pointer& pointer) {
  if (!pointer.meta || !pointer.meta.IsMap()) {
    return {};
  }
  std::string line;
  for (const auto& [key, value] : pointer::flatten(pointer.meta["metrics"])) {
    line += (line.empty() ? "" : " ") + key + "=" + pointer::display_text(value);
  }
  return line;
}

void write_registry_tag(util::JsonWriter& json, const registry::RegistryTag& tag) {
  const auto& record = tag.record;
  const bool is_stage = record.kind == registry::TagName::Kind::stage;
  json.begin_object().key("tag").value(tag.tag);
  json.key("type").value(is_stage ? "stage" : "version");
  json.key("model").value(record.model).key("version").value(record.version);
  if (is_stage) {
    json.key("stage").value(record.stage).key("number").value(record.number);
  }
  json.key("commit").value(tag.commit).key("path").value(record.path);
  json.key("pointer").value(record.pointer).key("sha256").value(record.sha256);
  json.key("size").value(record.size).key("format").value(record.format);
  json.key("message").value(record.message);
  json.key("tagger").value(tag.tagger).key("email").value(tag.tagger_email);
  json.key("date").value(util::iso8601_utc(tag.time)).end_object();
}

std::vector<std::string> yaml_lines(const YAML::Node& map, const std::string& indent) {
  std::vector<std::string> out;
  if (map && map.IsMap()) {
    append_lines(map, indent, out);
  }
  return out;
}

void write_flat_json(util::JsonWriter& json, const YAML::Node& map) {
  json.begin_object();
  for (const auto& [key, value] : pointer::flatten(map)) {
    json.key(key);
    pointer::write_json(json, value);
  }
  json.end_object();
}

YAML::Node meta_value(const pointer::Pointer& pointer, const char* key) {
  return pointer.meta && pointer.meta.IsMap() ? pointer.meta[key] : YAML::Node();
}

} // namespace mlv::cli
