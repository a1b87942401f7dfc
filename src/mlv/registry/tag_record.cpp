#include <mlv/hash/sha256.hpp>
#include <mlv/registry/tag_record.hpp>
#include <mlv/util/error.hpp>

#include <yaml-cpp/yaml.h>

namespace mlv::registry {

namespace {

constexpr const char* k_format_key = "mlv-registry";
constexpr std::string_view k_record_start = "\n---\n";

Error record_error(const std::string& tag, const std::string& what) {
  return Error(Failure::invalid_input, "registry tag '" + tag + "': " + what,
               "`git show " + tag + "` shows it; delete it with `git tag -d " + tag +
                   "` if it was not made by mlv");
}

std::string subject(const TagRecord& record) {
  if (record.kind == TagName::Kind::stage) {
    return "Promote " + record.model + " " + record.version + " to " + record.stage;
  }
  return "Register " + record.model + " " + record.version + ": " + record.path;
}

std::string text_field(const YAML::Node& root, const char* key, const std::string& tag) {
  const auto node = root[key];
  if (!node || !node.IsScalar()) {
    throw record_error(tag, std::string("field '") + key + "' is missing");
  }
  return node.Scalar();
}

std::uint64_t number_field(const YAML::Node& root, const char* key, const std::string& tag) {
  const auto text = text_field(root, key, tag);
  try {
    std::size_t used = 0;
    const auto value = std::stoull(text, &used);
    if (used == text.size() && text.find_first_not_of("0123456789") == std::string::npos) {
      return value;
    }
  } catch (const std::exception&) {
  }
  throw record_error(tag, std::string("field '") + key + "': '" + text + "' is not a number");
}

void check_matches_name(const TagRecord& record, const std::string& tag) {
  const auto name = parse_tag_name(tag);
  const bool matches = name && name->kind == record.kind && name->model == record.model &&
                       (record.kind == TagName::Kind::version
                            ? name->version.text() == record.version
                            : name->stage == record.stage && name->number == record.number);
  if (!matches) {
    throw record_error(tag, "its record names " + record.model + " " + record.version +
                                (record.kind == TagName::Kind::stage ? " in " + record.stage : "") +
                                ", not what the tag's name says");
  }
}

} // namespace

std::string tag_message(const TagRecord& record) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << k_format_key << YAML::Value << k_record_format;
  out << YAML::Key << "type" << YAML::Value
      << (record.kind == TagName::Kind::stage ? "stage" : "version");
  out << YAML::Key << "model" << YAML::Value << record.model;
  out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << record.version;
  if (record.kind == TagName::Kind::stage) {
    out << YAML::Key << "stage" << YAML::Value << record.stage;
    out << YAML::Key << "number" << YAML::Value << record.number;
  }
  out << YAML::Key << "path" << YAML::Value << record.path;
  out << YAML::Key << "pointer" << YAML::Value << record.pointer;
  out << YAML::Key << "sha256" << YAML::Value << record.sha256;
  out << YAML::Key << "size" << YAML::Value << record.size;
  out << YAML::Key << "format" << YAML::Value << record.format;
  if (!record.message.empty()) {
    out << YAML::Key << "message" << YAML::Value << YAML::DoubleQuoted << record.message;
  }
  out << YAML::EndMap;
  return subject(record) + "\n" + std::string(k_record_start) + out.c_str() + "\n";
}

std::optional<TagRecord> parse_tag_message(const std::string& tag, const std::string& message) {
  const auto start = message.find(k_record_start);
  if (start == std::string::npos) {
    return std::nullopt;
  }
  YAML::Node root;
  try {
    root = YAML::Load(message.substr(start + k_record_start.size()));
  } catch (const YAML::Exception&) {
    return std::nullopt; // a "---" line in someone else's tag message
  }
  if (!root.IsMap() || !root[k_format_key]) {
    return std::nullopt;
  }
  if (number_field(root, k_format_key, tag) != static_cast<std::uint64_t>(k_record_format)) {
    throw Error(Failure::invalid_input,
                "registry tag '" + tag + "' has record format " +
                    text_field(root, k_format_key, tag) + "; this mlv reads format " +
                    std::to_string(k_record_format),
                "upgrade mlv");
  }
  TagRecord record;
  const auto type = text_field(root, "type", tag);
  if (type != "version" && type != "stage") {
    throw record_error(tag, "field 'type': '" + type + "' is neither 'version' nor 'stage'");
  }
  record.kind = type == "stage" ? TagName::Kind::stage : TagName::Kind::version;
  record.model = text_field(root, "model", tag);
  record.version = text_field(root, "version", tag);
  if (!parse_version(record.version)) {
    throw record_error(tag, "field 'version': '" + record.version + "' is not a semantic version");
  }
  if (record.kind == TagName::Kind::stage) {
    record.stage = text_field(root, "stage", tag);
    record.number = number_field(root, "number", tag);
  }
  record.path = text_field(root, "path", tag);
  record.pointer = text_field(root, "pointer", tag);
  record.sha256 = text_field(root, "sha256", tag);
  if (!hash::is_content_id(record.sha256)) {
    throw record_error(tag, "field 'sha256': '" + record.sha256 + "' is not 64 lower-case hex");
  }
  record.size = number_field(root, "size", tag);
  record.format = root["format"] && root["format"].IsScalar() ? root["format"].Scalar() : "";
  record.message =
      root["message"] && root["message"].IsScalar() ? root["message"].Scalar() : std::string();
  check_matches_name(record, tag);
  return record;
}

} // namespace mlv::registry
