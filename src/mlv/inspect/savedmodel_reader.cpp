// TensorFlow SavedModel directories (tensorflow/core/protobuf/saved_model.proto and
// meta_graph.proto): saved_model.pb is a protobuf SavedModel holding one MetaGraphDef per tag set,
// each with its tags, the TensorFlow version that wrote it and named signatures (the serving
// entry points, with their input and output tensors). Weights live in variables/ as shards.

#include "readers.hpp"

#include <mlv/formats/protobuf_wire.hpp>

#include <array>
#include <set>
#include <system_error>

namespace mlv::inspect::reader {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_format = "SavedModel";
constexpr std::string_view k_binary_graph = "saved_model.pb";
constexpr std::string_view k_text_graph = "saved_model.pbtxt";
constexpr std::string_view k_variables_folder = "variables";
constexpr std::string_view k_variables_shard_prefix = "variables.data-";
constexpr std::string_view k_assets_folder = "assets";
constexpr std::string_view k_fingerprint = "fingerprint.pb";
constexpr std::string_view k_keras_metadata = "keras_metadata.pb";
// The signature a TensorFlow Serving client calls unless told otherwise.
constexpr std::string_view k_default_signature = "serving_default";

// Field numbers from saved_model.proto, meta_graph.proto and tensor_shape.proto.
namespace saved_model {
constexpr std::uint32_t schema_version = 1, meta_graphs = 2;
}
namespace meta_graph {
constexpr std::uint32_t meta_info_def = 1, graph_def = 2, signature_def = 5;
}
namespace meta_info {
constexpr std::uint32_t tags = 4, tensorflow_version = 5;
}
namespace graph_def {
constexpr std::uint32_t node = 1, library = 2;
}
namespace signature {
constexpr std::uint32_t inputs = 1, outputs = 2;
}
namespace tensor_info {
constexpr std::uint32_t dtype = 2, shape = 3;
}
namespace shape_proto {
constexpr std::uint32_t dim = 2, unknown_rank = 3;
}
namespace map_entry {
constexpr std::uint32_t key = 1, value = 2;
}

// tensorflow/core/framework/types.proto DataType, by number.
constexpr std::array<std::string_view, 24> k_data_types = {
    "invalid",   "float",  "double",     "int32", "uint8",    "int16",   "int8",     "string",
    "complex64", "int64",  "bool",       "qint8", "quint8",   "qint32",  "bfloat16", "qint16",
    "quint16",   "uint16", "complex128", "half",  "resource", "variant", "uint32",   "uint64"};

std::string data_type_name(std::uint64_t type) {
  return type < k_data_types.size() ? std::string(k_data_types[type])
                                    : "type " + std::to_string(type);
}

struct Signature {
  std::string name;
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
};

struct MetaGraph {
  std::vector<std::string> tags;
  std::string tensorflow_version;
  std::vector<Signature> signatures;
  std::uint64_t nodes = 0;
  bool has_functions = false;
};

Tensor read_tensor_info(const formats::ProtoReader& parent,
                        const formats::ProtoField& field,
                        std::string name) {
  Tensor tensor;
  tensor.name = std::move(name);
  auto reader = parent.nested(field);
  while (const auto part = reader.next()) {
    if (part->number == tensor_info::dtype && part->wire_type == formats::WireType::varint) {
      tensor.dtype = data_type_name(part->value);
    } else if (part->number == tensor_info::shape &&
               part->wire_type == formats::WireType::length_delimited) {
      auto shape = reader.nested(*part);
      while (const auto item = shape.next()) {
        if (item->number == shape_proto::unknown_rank && item->value != 0) {
          tensor.shape = {std::string("...")};
        } else if (item->number == shape_proto::dim &&
                   item->wire_type == formats::WireType::length_delimited) {
          auto dim = shape.nested(*item);
          Dimension dimension = std::string("?");
          while (const auto size = dim.next()) {
            if (size->number == 1 && size->wire_type == formats::WireType::varint &&
                static_cast<std::int64_t>(size->value) >= 0) {
              dimension = static_cast<std::int64_t>(size->value);
            }
          }
          tensor.shape.push_back(dimension);
        }
      }
    }
  }
  return tensor;
}

// A map<string, Message> entry: its key and where its value lies.
std::pair<std::string, std::optional<formats::ProtoField>>
read_map_entry(const formats::ProtoReader& parent, const formats::ProtoField& field) {
  auto reader = parent.nested(field);
  std::pair<std::string, std::optional<formats::ProtoField>> entry;
  while (const auto part = reader.next()) {
    if (part->wire_type != formats::WireType::length_delimited) {
      continue;
    }
    if (part->number == map_entry::key) {
      entry.first = reader.text(*part);
    } else if (part->number == map_entry::value) {
      entry.second = *part;
    }
  }
  return entry;
}

Signature read_signature(const formats::ProtoReader& parent, const formats::ProtoField& field) {
  auto [name, value] = read_map_entry(parent, field);
  Signature signature;
  signature.name = std::move(name);
  if (!value) {
    return signature;
  }
  auto reader = parent.nested(*value);
  while (const auto part = reader.next()) {
    if (part->wire_type != formats::WireType::length_delimited ||
        (part->number != signature::inputs && part->number != signature::outputs)) {
      continue;
    }
    auto [tensor_name, info] = read_map_entry(reader, *part);
    if (!info) {
      continue;
    }
    auto tensor = read_tensor_info(reader, *info, std::move(tensor_name));
    auto& tensors = part->number == signature::inputs ? signature.inputs : signature.outputs;
    tensors.push_back(std::move(tensor));
    check_table_size(reader.source(), k_format, tensors.size(), "signature tensors");
  }
  return signature;
}

MetaGraph read_meta_graph(const formats::ProtoReader& parent, const formats::ProtoField& field) {
  MetaGraph graph;
  auto reader = parent.nested(field);
  while (const auto part = reader.next()) {
    if (part->wire_type != formats::WireType::length_delimited) {
      continue;
    }
    if (part->number == meta_graph::meta_info_def) {
      auto info = reader.nested(*part);
      while (const auto item = info.next()) {
        if (item->number == meta_info::tags &&
            item->wire_type == formats::WireType::length_delimited) {
          graph.tags.push_back(info.text(*item));
          check_table_size(reader.source(), k_format, graph.tags.size(), "tags");
        } else if (item->number == meta_info::tensorflow_version &&
                   item->wire_type == formats::WireType::length_delimited) {
          graph.tensorflow_version = info.text(*item);
        }
      }
    } else if (part->number == meta_graph::graph_def) {
      auto graph_reader = reader.nested(*part);
      while (const auto item = graph_reader.next()) {
        graph.nodes += item->number == graph_def::node ? 1 : 0;
        graph.has_functions = graph.has_functions || item->number == graph_def::library;
      }
    } else if (part->number == meta_graph::signature_def) {
      graph.signatures.push_back(read_signature(reader, *part));
      check_table_size(reader.source(), k_format, graph.signatures.size(), "signatures");
    }
  }
  return graph;
}

void read_graph_file(const fs::path& file, Inspection& out) {
  const formats::FileSource source(file);
  formats::ProtoReader reader(source, std::string(k_format), 0, source.size());
  std::vector<MetaGraph> graphs;
  std::size_t signature_count = 0;
  while (const auto field = reader.next()) {
    if (field->number == saved_model::schema_version &&
        field->wire_type == formats::WireType::varint) {
      out.add_fact("schema_version", field->value);
    } else if (field->number == saved_model::meta_graphs &&
               field->wire_type == formats::WireType::length_delimited) {
      graphs.push_back(read_meta_graph(reader, *field));
      signature_count += graphs.back().signatures.size();
      check_table_size(source, k_format, graphs.size() + signature_count,
                       "meta graphs and signatures");
    }
  }
  out.add_fact("meta_graphs", static_cast<std::uint64_t>(graphs.size()));
  if (graphs.empty()) {
    return;
  }
  std::set<std::string> tags;
  std::vector<std::string> signatures;
  const Signature* shown = nullptr;
  for (const auto& graph : graphs) {
    tags.insert(graph.tags.begin(), graph.tags.end());
    for (const auto& signature : graph.signatures) {
      signatures.push_back(signature.name);
      if (shown == nullptr || signature.name == k_default_signature) {
        shown = &signature;
      }
    }
  }
  out.add_fact("tags", std::vector<std::string>(tags.begin(), tags.end()));
  if (!graphs.front().tensorflow_version.empty()) {
    out.add_fact("tensorflow_version", graphs.front().tensorflow_version);
  }
  out.add_fact("signatures", signatures);
  out.add_fact("graph_nodes", graphs.front().nodes);
  if (shown != nullptr) {
    out.add_fact("signature_shown", shown->name);
    out.inputs = shown->inputs;
    out.outputs = shown->outputs;
  }
}

bool is_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

void add_variables_facts(const fs::path& folder, Inspection& out) {
  std::uint64_t shards = 0;
  std::uint64_t bytes = 0;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error) &&
        it->path().filename().string().starts_with(k_variables_shard_prefix)) {
      ++shards;
      bytes += it->file_size(error);
    }
  }
  out.add_fact("variable_shards", shards);
  out.add_fact("variable_bytes", bytes);
}

std::uint64_t count_files(const fs::path& folder) {
  std::uint64_t files = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(folder, error), end; !error && it != end;
       it.increment(error)) {
    files += it->is_regular_file(error) ? 1 : 0;
  }
  return files;
}

} // namespace

void read_savedmodel(const fs::path& directory, Inspection& out) {
  if (is_file(directory / k_binary_graph)) {
    read_graph_file(directory / k_binary_graph, out);
  } else if (is_file(directory / k_text_graph)) {
    out.add_fact("graph_format", std::string("text (saved_model.pbtxt, not parsed)"));
  }
  add_variables_facts(directory / k_variables_folder, out);
  out.add_fact("assets", count_files(directory / k_assets_folder));
  if (is_file(directory / k_fingerprint)) {
    out.add_fact("fingerprint", true);
  }
  if (is_file(directory / k_keras_metadata)) {
    out.add_fact("keras_metadata", true);
  }
}

} // namespace mlv::inspect::reader
