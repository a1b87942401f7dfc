#pragma once

#include <mlv/formats/byte_source.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mlv::inspect {

// A value a model file records: text, a number, a flag, a list of names, or a list of sizes
// (a shape).
using Value = std::variant<std::string,
                           std::int64_t,
                           std::uint64_t,
                           double,
                           bool,
                           std::vector<std::string>,
                           std::vector<std::int64_t>>;

// One named value. Keys are stable words (`tensors`, `opsets`, `keras_version`): the JSON output
// and the pointer summary use them as they are (docs/inspect.md lists them per format).
struct Field {
  std::string key;
  Value value;
};

// One dimension of a shape: a size, or a symbolic name (an ONNX `dim_param` such as "batch";
// "?" when the file leaves the dimension open).
using Dimension = std::variant<std::int64_t, std::string>;

// A tensor or array as the file describes it: what it is called, its element type in the
// format's own spelling (F32, float32, <f4, Q4_K ...), its shape, and its stored bytes if known.
struct Tensor {
  std::string name;
  std::string dtype;
  std::vector<Dimension> shape;
  std::optional<std::uint64_t> bytes;
};

// What a model file's format records about it, read without executing or deserializing it.
struct Inspection {
  std::string path;            // what was read
  std::string format;          // as detect_format names it
  std::uint64_t size = 0;      // bytes (a directory: of all its files)
  std::vector<Field> facts;    // key facts, in the order they are shown
  std::vector<Field> metadata; // free key/values the file carries (safetensors __metadata__,
                               // GGUF metadata, ONNX metadata_props, HDF5 root attributes)
  std::vector<Tensor> tensors; // tensors, arrays or records the format lists
  std::vector<Tensor> inputs;  // ONNX graph inputs (initializers excluded), SavedModel ...
  std::vector<Tensor> outputs;

  // Filled from a walk of the pickle opcodes (summarize_pickle) for pickle, joblib and PyTorch;
  // the format readers leave them empty rather than guess.
  std::vector<std::string> classes; // top-level class names
  std::vector<Tensor> arrays;       // joblib's numpy arrays

  // The fact named `key`, or nullptr.
  const Value* fact(std::string_view key) const;
  void add_fact(std::string key, Value value) {
    facts.push_back({std::move(key), std::move(value)});
  }
};

// Detects the format of a file or directory from its content and reads what the format itself
// records: headers, tables of tensors, protobuf fields, HDF5 root attributes. Most formats cost
// a few range reads however large the file; pickle-based files are walked opcode by opcode to
// their end (joblib's and PyTorch's array bytes skipped, a compressed joblib decompressed whole).
// Never executes, unpickles or deserializes anything. Throws Error(missing/failure) when the path
// cannot be read, and Error(bad_input) naming the file and what is wrong when a header is damaged
// or hostile (a length past the end, a count no file could hold). `file_name`, when given, replaces
// the path's own name for the one detection rule that consults a name (compressed joblib files): a
// cache object is named by its id, not by the file it was.
Inspection inspect_path(const std::filesystem::path& path, const std::string& file_name = {});

// The same for bytes that are not a file of their own; `file_name` as for detect_format.
Inspection inspect_source(const formats::ByteSource& source, const std::string& file_name);

// The few facts a pointer keeps under `summary` (docs/inspect.md), in order: e.g. safetensors
// {tensors, parameters, dtypes}, onnx {ir_version, opsets, producer, inputs, outputs}; lists cut
// to 16 items and a "... and N more". Empty when the format records nothing worth keeping. The
// workspace writes it into the pointer's YAML (workspace/summary_node.hpp).
std::vector<Field> short_summary(const Inspection& inspection);

// The whole inspection as one JSON object (for `mlv inspect --json`), with `context` fields
// (where the bytes came from) first.
std::string inspection_json(const Inspection& inspection, const std::vector<Field>& context = {});

// A value as text for people: numbers in decimal, lists joined with ", ".
std::string value_text(const Value& value);
// "[32, 32]", "[batch, 3, 224, 224]", "[]" for a scalar.
std::string shape_text(const std::vector<Dimension>& shape);

} // namespace mlv::inspect
