// The two machine-readable views of an inspection: the few keys a pointer keeps (short_summary)
// and the whole of it as JSON (inspection_json). docs/inspect.md documents both.

#include <mlv/inspect/inspect.hpp>
#include <mlv/util/json.hpp>

#include <map>

namespace mlv::inspect {

namespace {

// The facts each format keeps in a pointer's summary, in order; absent facts are skipped.
const std::map<std::string_view, std::vector<std::string_view>> k_summary_keys = {
    {"safetensors", {"tensors", "parameters", "dtypes"}},
    {"onnx", {"ir_version", "opsets", "producer", "inputs", "outputs"}},
    {"gguf", {"version", "architecture", "tensors", "parameters"}},
    {"numpy", {"dtype", "shape", "arrays", "dtypes"}},
    {"pytorch", {"archive", "tensor_records", "protocol_version"}},
    {"keras", {"keras_version", "class_name", "layers"}},
    {"hdf5", {"superblock_version"}},
    {"savedmodel", {"tags", "signatures", "tensorflow_version"}},
    {"pickle", {"protocol"}},
    {"joblib", {"compression", "protocol"}},
};
// Lists in a summary stay short: a pointer is read by people in code review.
constexpr std::size_t k_max_summary_items = 16;

YAML::Node yaml_list(const std::vector<std::string>& items) {
  YAML::Node list(YAML::NodeType::Sequence);
  list.SetStyle(YAML::EmitterStyle::Flow);
  for (std::size_t i = 0; i < items.size() && i < k_max_summary_items; ++i) {
    list.push_back(items[i]);
  }
  if (items.size() > k_max_summary_items) {
    list.push_back("... and " + std::to_string(items.size() - k_max_summary_items) + " more");
  }
  return list;
}

YAML::Node yaml_value(const Value& value) {
  struct Visitor {
    YAML::Node operator()(const std::string& text) const { return YAML::Node(text); }
    YAML::Node operator()(std::int64_t number) const { return YAML::Node(number); }
    YAML::Node operator()(std::uint64_t number) const { return YAML::Node(number); }
    YAML::Node operator()(double number) const { return YAML::Node(number); }
    YAML::Node operator()(bool flag) const { return YAML::Node(flag); }
    YAML::Node operator()(const std::vector<std::string>& items) const { return yaml_list(items); }
    YAML::Node operator()(const std::vector<std::int64_t>& sizes) const {
      YAML::Node list(YAML::NodeType::Sequence);
      list.SetStyle(YAML::EmitterStyle::Flow);
      for (const auto size : sizes) {
        list.push_back(size);
      }
      return list;
    }
  };
  return std::visit(Visitor{}, value);
}

void write_value(util::JsonWriter& json, const Value& value) {
  struct Visitor {
    util::JsonWriter& json;
    void operator()(const std::string& text) const { json.value(text); }
    void operator()(std::int64_t number) const { json.value(number); }
    void operator()(std::uint64_t number) const { json.value(number); }
    void operator()(double number) const { json.value(number); }
    void operator()(bool flag) const { json.value(flag); }
    void operator()(const std::vector<std::string>& items) const {
      json.begin_array();
      for (const auto& item : items) {
        json.value(item);
      }
      json.end_array();
    }
    void operator()(const std::vector<std::int64_t>& sizes) const {
      json.begin_array();
      for (const auto size : sizes) {
        json.value(size);
      }
      json.end_array();
    }
  };
  std::visit(Visitor{json}, value);
}

void write_fields(util::JsonWriter& json, const char* key, const std::vector<Field>& fields) {
  json.key(key).begin_object();
  for (const auto& field : fields) {
    json.key(field.key);
    write_value(json, field.value);
  }
  json.end_object();
}

void write_tensors(util::JsonWriter& json, const char* key, const std::vector<Tensor>& tensors) {
  json.key(key).begin_array();
  for (const auto& tensor : tensors) {
    json.begin_object().key("name").value(tensor.name);
    if (!tensor.dtype.empty()) { // a record known only by name and size has neither
      json.key("dtype").value(tensor.dtype).key("shape").begin_array();
      for (const auto& dimension : tensor.shape) {
        if (const auto* size = std::get_if<std::int64_t>(&dimension)) {
          json.value(*size);
        } else {
          json.value(std::get<std::string>(dimension));
        }
      }
      json.end_array();
    }
    if (tensor.bytes) {
      json.key("bytes").value(*tensor.bytes);
    }
    json.end_object();
  }
  json.end_array();
}

} // namespace

YAML::Node short_summary(const Inspection& inspection) {
  YAML::Node summary(YAML::NodeType::Map);
  if (const auto keys = k_summary_keys.find(inspection.format); keys != k_summary_keys.end()) {
    for (const auto key : keys->second) {
      if (const auto* value = inspection.fact(key)) {
        summary[std::string(key)] = yaml_value(*value);
      }
    }
  }
  if (!inspection.classes.empty()) {
    summary["classes"] = yaml_list(inspection.classes);
  }
  if (!inspection.arrays.empty()) {
    summary["arrays"] = inspection.arrays.size();
  }
  return summary.size() == 0 ? YAML::Node() : summary;
}

std::string inspection_json(const Inspection& inspection, const std::vector<Field>& context) {
  util::JsonWriter json;
  json.begin_object();
  for (const auto& field : context) {
    json.key(field.key);
    write_value(json, field.value);
  }
  json.key("path")
      .value(inspection.path)
      .key("format")
      .value(inspection.format)
      .key("size")
      .value(inspection.size);
  write_fields(json, "facts", inspection.facts);
  write_fields(json, "metadata", inspection.metadata);
  write_tensors(json, "tensors", inspection.tensors);
  write_tensors(json, "inputs", inspection.inputs);
  write_tensors(json, "outputs", inspection.outputs);
  // Absent until the pickle walk fills them, rather than an empty list that would read as
  // "none found".
  if (!inspection.classes.empty()) {
    json.key("classes").begin_array();
    for (const auto& name : inspection.classes) {
      json.value(name);
    }
    json.end_array();
  }
  if (!inspection.arrays.empty()) {
    write_tensors(json, "arrays", inspection.arrays);
  }
  json.end_object();
  return json.str();
}

} // namespace mlv::inspect
