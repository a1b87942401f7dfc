// ONNX (github.com/onnx/onnx, onnx/onnx.proto): a protobuf ModelProto. Its fields are read in
// place with the wire-format reader; the weights (raw_data) are stepped over, never loaded.

#include "readers.hpp"

#include <mlv/formats/protobuf_wire.hpp>

#include <array>
#include <map>
#include <set>

namespace mlv::inspect::reader {

namespace {

constexpr std::string_view k_format = "ONNX";
// ONNX's default operator set is written with an empty domain.
constexpr std::string_view k_default_domain = "ai.onnx";

// Field numbers from onnx.proto.
namespace model {
constexpr std::uint32_t ir_version = 1, producer_name = 2, producer_version = 3, domain = 4,
                        model_version = 5, graph = 7, opset_import = 8, metadata_props = 14;
}
namespace graph {
constexpr std::uint32_t node = 1, name = 2, initializer = 5, input = 11, output = 12;
}
namespace node {
constexpr std::uint32_t op_type = 4;
}
namespace value_info {
constexpr std::uint32_t name = 1, type = 2;
}
namespace type_proto {
constexpr std::uint32_t tensor_type = 1, sequence_type = 4, map_type = 5, sparse_tensor_type = 8,
                        optional_type = 9;
}
namespace tensor_type {
constexpr std::uint32_t elem_type = 1, shape = 2;
}
namespace tensor_proto {
constexpr std::uint32_t dims = 1, data_type = 2, name = 8, raw_data = 9, data_location = 14;
constexpr std::uint64_t external = 1;
} // namespace tensor_proto
namespace pair_proto { // OperatorSetIdProto and StringStringEntryProto
constexpr std::uint32_t first = 1, second = 2;
}

// TensorProto.DataType, by number, as onnx.helper spells them.
constexpr std::array<std::string_view, 24> k_element_types = {
    "undefined",      "float",      "uint8",          "int8",       "uint16",   "int16",
    "int32",          "int64",      "string",         "bool",       "float16",  "double",
    "uint32",         "uint64",     "complex64",      "complex128", "bfloat16", "float8e4m3fn",
    "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4",      "int4",     "float4e2m1"};

std::string element_type_name(std::uint64_t type) {
  return type < k_element_types.size() ? std::string(k_element_types[type])
                                       : "type " + std::to_string(type);
}

Dimension read_dimension(const formats::ProtoReader& parent, const formats::ProtoField& field) {
  auto reader = parent.nested(field);
  Dimension dimension = std::string("?");
  while (const auto part = reader.next()) {
    if (part->number == 1 && part->wire_type == formats::WireType::varint) {
      dimension = static_cast<std::int64_t>(part->value);
    } else if (part->number == 2 && part->wire_type == formats::WireType::length_delimited) {
      dimension = reader.text(*part);
    }
  }
  return dimension;
}

// A graph input or output: its name and, for a tensor, element type and shape.
Tensor read_value_info(const formats::ProtoReader& parent, const formats::ProtoField& field) {
  Tensor value;
  auto reader = parent.nested(field);
  while (const auto part = reader.next()) {
    if (part->number == value_info::name &&
        part->wire_type == formats::WireType::length_delimited) {
      value.name = reader.text(*part);
    } else if (part->number == value_info::type &&
               part->wire_type == formats::WireType::length_delimited) {
      auto type = reader.nested(*part);
      while (const auto kind = type.next()) {
        if (kind->wire_type != formats::WireType::length_delimited) {
          continue;
        }
        if (kind->number == type_proto::tensor_type ||
            kind->number == type_proto::sparse_tensor_type) {
          auto tensor = type.nested(*kind);
          while (const auto item = tensor.next()) {
            if (item->number == tensor_type::elem_type &&
                item->wire_type == formats::WireType::varint) {
              value.dtype = element_type_name(item->value);
            } else if (item->number == tensor_type::shape &&
                       item->wire_type == formats::WireType::length_delimited) {
              auto shape = tensor.nested(*item);
              while (const auto dim = shape.next()) {
                if (dim->number == 1 && dim->wire_type == formats::WireType::length_delimited) {
                  value.shape.push_back(read_dimension(shape, *dim));
                }
              }
            }
          }
        } else if (kind->number == type_proto::sequence_type) {
          value.dtype = "sequence";
        } else if (kind->number == type_proto::map_type) {
          value.dtype = "map";
        } else if (kind->number == type_proto::optional_type) {
          value.dtype = "optional";
        }
      }
    }
  }
  return value;
}

struct Initializer {
  Tensor tensor;
  bool external = false;
};

Initializer read_initializer(const formats::ProtoReader& parent, const formats::ProtoField& field) {
  Initializer initializer;
  auto reader = parent.nested(field);
  while (const auto part = reader.next()) {
    switch (part->number) {
    case tensor_proto::dims:
      for (const auto size : reader.varints(*part)) {
        initializer.tensor.shape.emplace_back(static_cast<std::int64_t>(size));
      }
      break;
    case tensor_proto::data_type:
      initializer.tensor.dtype = element_type_name(part->value);
      break;
    case tensor_proto::name:
      initializer.tensor.name = reader.text(*part);
      break;
    case tensor_proto::raw_data:
      initializer.tensor.bytes = part->length;
      break;
    case tensor_proto::data_location:
      initializer.external = part->value == tensor_proto::external;
      break;
    default:
      break;
    }
  }
  return initializer;
}

void read_graph(const formats::ProtoReader& parent,
                const formats::ProtoField& field,
                Inspection& out) {
  auto reader = parent.nested(field);
  std::uint64_t nodes = 0;
  std::set<std::string> operators;
  std::vector<Tensor> inputs;
  std::set<std::string> initializer_names;
  std::uint64_t parameters = 0;
  bool external_data = false;
  std::string name;
  while (const auto part = reader.next()) {
    if (part->wire_type != formats::WireType::length_delimited) {
      continue;
    }
    switch (part->number) {
    case graph::node: {
      ++nodes;
      auto node_reader = reader.nested(*part);
      while (const auto item = node_reader.next()) {
        if (item->number == node::op_type &&
            item->wire_type == formats::WireType::length_delimited) {
          operators.insert(node_reader.text(*item));
          check_table_size(reader.source(), k_format, operators.size(), "operator types");
        }
      }
      break;
    }
    case graph::name:
      name = reader.text(*part);
      break;
    case graph::initializer: {
      auto initializer = read_initializer(reader, *part);
      external_data = external_data || initializer.external;
      if (const auto count = element_count(initializer.tensor.shape)) {
        add_checked(reader.source(), k_format, parameters, *count);
      }
      initializer_names.insert(initializer.tensor.name);
      out.tensors.push_back(std::move(initializer.tensor));
      check_table_size(reader.source(), k_format, out.tensors.size(), "initializers");
      break;
    }
    case graph::input:
      inputs.push_back(read_value_info(reader, *part));
      check_table_size(reader.source(), k_format, inputs.size(), "graph inputs");
      break;
    case graph::output:
      out.outputs.push_back(read_value_info(reader, *part));
      check_table_size(reader.source(), k_format, out.outputs.size(), "graph outputs");
      break;
    default:
      break;
    }
  }
  // Before IR version 4 every initializer was also listed as an input; those are weights, not
  // what a caller feeds.
  for (auto& input : inputs) {
    if (!initializer_names.contains(input.name)) {
      out.inputs.push_back(std::move(input));
    }
  }
  if (!name.empty()) {
    out.add_fact("graph", name);
  }
  out.add_fact("nodes", nodes);
  out.add_fact("operators", std::vector<std::string>(operators.begin(), operators.end()));
  out.add_fact("initializers", static_cast<std::uint64_t>(out.tensors.size()));
  out.add_fact("parameters", parameters);
  if (external_data) {
    out.add_fact("external_data", true);
  }
}

std::vector<std::string> names_of(const std::vector<Tensor>& values) {
  std::vector<std::string> names;
  for (const auto& value : values) {
    names.push_back(value.name);
  }
  return names;
}

} // namespace

void read_onnx(const formats::ByteSource& source, Inspection& out) {
  formats::ProtoReader reader(source, std::string(k_format), 0, source.size());
  std::optional<std::uint64_t> ir_version;
  std::optional<std::uint64_t> model_version;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  std::vector<std::string> opsets;
  std::optional<formats::ProtoField> graph_field;
  while (const auto field = reader.next()) {
    const bool text = field->wire_type == formats::WireType::length_delimited;
    switch (field->number) {
    case model::ir_version:
      ir_version = field->value;
      break;
    case model::model_version:
      model_version = field->value;
      break;
    case model::producer_name:
      producer_name = text ? reader.text(*field) : "";
      break;
    case model::producer_version:
      producer_version = text ? reader.text(*field) : "";
      break;
    case model::domain:
      domain = text ? reader.text(*field) : "";
      break;
    case model::opset_import:
      if (text) {
        auto opset = reader.nested(*field);
        std::string opset_domain;
        std::uint64_t version = 0;
        while (const auto part = opset.next()) {
          if (part->number == pair_proto::first &&
              part->wire_type == formats::WireType::length_delimited) {
            opset_domain = opset.text(*part);
          } else if (part->number == pair_proto::second &&
                     part->wire_type == formats::WireType::varint) {
            version = part->value;
          }
        }
        opsets.push_back((opset_domain.empty() ? std::string(k_default_domain) : opset_domain) +
                         " " + std::to_string(version));
        check_table_size(source, k_format, opsets.size(), "opset imports");
      }
      break;
    case model::metadata_props:
      if (text) {
        auto entry = reader.nested(*field);
        Field property;
        property.value = std::string();
        while (const auto part = entry.next()) {
          if (part->wire_type != formats::WireType::length_delimited) {
            continue;
          }
          if (part->number == pair_proto::first) {
            property.key = entry.text(*part);
          } else if (part->number == pair_proto::second) {
            property.value = entry.text(*part);
          }
        }
        out.metadata.push_back(std::move(property));
        check_table_size(source, k_format, out.metadata.size(), "metadata properties");
      }
      break;
    case model::graph:
      if (text) {
        graph_field = *field;
      }
      break;
    default:
      break;
    }
  }
  if (ir_version) {
    out.add_fact("ir_version", *ir_version);
  }
  out.add_fact("opsets", opsets);
  const std::string producer =
      producer_name + (producer_version.empty() ? "" : " " + producer_version);
  if (!producer.empty()) {
    out.add_fact("producer", producer);
  }
  if (!domain.empty()) {
    out.add_fact("domain", domain);
  }
  if (model_version && *model_version != 0) {
    out.add_fact("model_version", *model_version);
  }
  if (graph_field) {
    read_graph(reader, *graph_field, out);
  }
  out.add_fact("inputs", names_of(out.inputs));
  out.add_fact("outputs", names_of(out.outputs));
}

} // namespace mlv::inspect::reader
