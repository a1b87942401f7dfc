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

// A list cut to its first k_max_summary_items, the rest counted in one last item.
std::vector<std::string> short_list(const std::vector<std::string>& items) {
  if (items.size() <= k_max_summary_items) {
    return items;
  }
  std::vector<std::string> list(items.begin(), items.begin() + k_max_summary_items);
  list.push_back("... and " + std::to_string(items.size() - k_max_summary_items) + " more");
  return list;
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

std::vector<Field> short_summary(const Inspection& inspection) {
  std::vector<Field> summary;
  if (const auto keys = k_summary_keys.find(inspection.format); keys != k_summary_keys.end()) {
    for (const auto key : keys->second) {
      if (const auto* value = inspection.fact(key)) {
        const auto* items = std::get_if<std::vector<std::string>>(value);
        summary.push_back(
            {std::string(key), items != nullptr ? Value(short_list(*items)) : *value});
      }
    }
  }
  if (!inspection.classes.empty()) {
    summary.push_back({"classes", short_list(inspection.classes)});
  }
  if (!inspection.arrays.empty()) {
    summary.push_back({"arrays", static_cast<std::uint64_t>(inspection.arrays.size())});
  }
  return summary;
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
