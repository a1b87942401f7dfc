#include <mlv/pointer/meta_values.hpp>

#include <charconv>
#include <cstdlib>
#include <regex>

namespace mlv::pointer {

namespace {

// YAML 1.2 core schema (yaml.org/spec/1.2.2, 10.3.2), the forms a plain scalar is read as,
// and what JSON accepts as a number (such text is copied as written: no precision lost).
// Compiled on first use, not at start-up: most commands never read metadata values.
struct ScalarForms {
  std::regex null_form{"~|null|Null|NULL|"};
  std::regex bool_form{"true|True|TRUE|false|False|FALSE"};
  std::regex decimal_int_form{"[-+]?[0-9]+"};
  std::regex octal_int_form{"0o[0-7]+"};
  std::regex hex_int_form{"0x[0-9a-fA-F]+"};
  std::regex finite_real_form{"[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"};
  std::regex special_real_form{"[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"};
  std::regex json_number_form{"-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?"};
};

const ScalarForms& forms() {
  static const ScalarForms compiled;
  return compiled;
}

constexpr const char* k_quoted_tag = "!"; // yaml-cpp's tag for a quoted scalar

bool is_quoted(const YAML::Node& node) {
  return node.Tag() == k_quoted_tag;
}

void flatten_into(const YAML::Node& map,
                  const std::string& prefix,
                  std::vector<std::pair<std::string, YAML::Node>>& leaves) {
  for (const auto& entry : map) {
    const auto key =
        prefix + (entry.first.IsScalar() ? entry.first.Scalar() : display_text(entry.first));
    if (entry.second.IsMap() && entry.second.size() > 0) {
      flatten_into(entry.second, key + ".", leaves);
    } else {
      leaves.emplace_back(key, entry.second);
    }
  }
}

} // namespace

ScalarType scalar_type(const YAML::Node& node) {
  if (!node || node.IsNull()) {
    return ScalarType::null;
  }
  if (!node.IsScalar() || is_quoted(node)) {
    return ScalarType::string;
  }
  const auto& text = node.Scalar();
  if (std::regex_match(text, forms().null_form)) {
    return ScalarType::null;
  }
  if (std::regex_match(text, forms().bool_form)) {
    return ScalarType::boolean;
  }
  if (std::regex_match(text, forms().decimal_int_form) ||
      std::regex_match(text, forms().octal_int_form) ||
      std::regex_match(text, forms().hex_int_form)) {
    return ScalarType::integer;
  }
  if (std::regex_match(text, forms().finite_real_form) ||
      std::regex_match(text, forms().special_real_form)) {
    return ScalarType::real;
  }
  return ScalarType::string;
}

std::optional<double> number_value(const YAML::Node& node) {
  const auto type = scalar_type(node);
  if (type != ScalarType::integer && type != ScalarType::real) {
    return std::nullopt;
  }
  const auto& text = node.Scalar();
  if (text.starts_with("0o") || text.starts_with("0x")) {
    return static_cast<double>(std::strtoull(text.c_str() + 2, nullptr, text[1] == 'o' ? 8 : 16));
  }
  if (std::regex_match(text, forms().special_real_form)) {
    return std::nullopt;
  }
  return std::strtod(text.c_str(), nullptr);
}

std::string number_text(double value) {
  char text[64];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return error == std::errc() ? std::string(text, end) : std::to_string(value);
}

std::vector<std::pair<std::string, YAML::Node>> flatten(const YAML::Node& map) {
  std::vector<std::pair<std::string, YAML::Node>> leaves;
  if (map && map.IsMap()) {
    flatten_into(map, "", leaves);
  }
  return leaves;
}

std::string display_text(const YAML::Node& node) {
  if (!node || node.IsNull()) {
    return "null";
  }
  if (node.IsScalar()) {
    return node.Scalar();
  }
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

void write_json(util::JsonWriter& json, const YAML::Node& node) {
  if (node && node.IsMap()) {
    json.begin_object();
    for (const auto& entry : node) {
      json.key(entry.first.IsScalar() ? entry.first.Scalar() : display_text(entry.first));
      write_json(json, entry.second);
    }
    json.end_object();
    return;
  }
  if (node && node.IsSequence()) {
    json.begin_array();
    for (const auto& item : node) {
      write_json(json, item);
    }
    json.end_array();
    return;
  }
  switch (scalar_type(node)) {
  case ScalarType::null:
    json.null();
    return;
  case ScalarType::boolean:
    json.value(node.Scalar().front() == 't' || node.Scalar().front() == 'T');
    return;
  case ScalarType::integer:
  case ScalarType::real:
    if (std::regex_match(node.Scalar(), forms().json_number_form)) {
      json.raw(node.Scalar());
    } else if (const auto value = number_value(node)) {
      json.raw(number_text(*value));
    } else {
      json.value(node.Scalar()); // .inf and .nan have no JSON number
    }
    return;
  case ScalarType::string:
    json.value(node.Scalar());
    return;
  }
}

} // namespace mlv::pointer
