#pragma once

// Private to the inspect module: one reader per format, each filling an Inspection from what the
// format records. inspect.cpp picks the reader from the detected format. Readers read headers and
// ranges only, and report damaged or hostile bytes with fail_bad_input (source_cursor.hpp).

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/byte_stream.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/util/json_reader.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace mlv::inspect::reader {

void read_safetensors(const formats::ByteSource& source, Inspection& out); // safetensors_reader.cpp
void read_gguf(const formats::ByteSource& source, Inspection& out);        // gguf_reader.cpp
void read_onnx(const formats::ByteSource& source, Inspection& out);        // onnx_reader.cpp

// numpy_reader.cpp: a .npy file, and a .npz archive of them.
void read_npy(const formats::ByteSource& source, Inspection& out);
void read_npz(const formats::ByteSource& source, Inspection& out);

// hdf5_reader.cpp: the superblock at `superblock` and the root group's attributes and members.
void read_hdf5(const formats::ByteSource& source, std::uint64_t superblock, Inspection& out);
// keras_reader.cpp: a Keras 3 .keras zip (config.json, metadata.json).
void read_keras_zip(const formats::ByteSource& source, Inspection& out);
// Adds class_name and layers from a Keras model config (JSON text) to `out`'s facts.
void add_keras_config_facts(const formats::ByteSource& source,
                            std::string_view config_json,
                            Inspection& out);

// pytorch_reader.cpp: torch.save's zip format, and its legacy pickle-sequence format.
void read_pytorch_zip(const formats::ByteSource& source, Inspection& out);
void read_pytorch_legacy(const formats::ByteSource& source, Inspection& out);

// pickle_reader.cpp: what a pickle or joblib file's first bytes say, without walking the opcodes.
void read_pickle(const formats::ByteSource& source, Inspection& out);
// Walks the pickle in `stream` (summarize_pickle: nothing is loaded or run) and fills
// out.classes and out.arrays; a stream that cannot be read to its end adds a note instead.
void add_pickle_walk(formats::ByteStream& stream, Inspection& out);
void read_joblib(const formats::ByteSource& source, Inspection& out);

// savedmodel_reader.cpp: a TensorFlow SavedModel directory.
void read_savedmodel(const std::filesystem::path& directory, Inspection& out);

// No model has a million tensors, graph inputs or metadata keys; a file that lists more is
// hostile, and is refused before its table costs gigabytes of memory.
inline constexpr std::size_t k_max_table_rows = 1'000'000;

// reader_support.cpp, shared by the readers:
// Fails naming the file when a table of `what` would grow past k_max_table_rows.
void check_table_size(const formats::ByteSource& source,
                      std::string_view format,
                      std::size_t rows,
                      std::string_view what);
// The number of elements of a shape; nullopt when a dimension is symbolic or negative, or the
// product overflows 64 bits (a hostile header).
std::optional<std::uint64_t> element_count(const std::vector<Dimension>& shape);
// Adds `count` to `total`, failing naming the file when the sum overflows.
void add_checked(const formats::ByteSource& source,
                 std::string_view format,
                 std::uint64_t& total,
                 std::uint64_t count);
// Replaces, in every text of an inspection, bytes that are not UTF-8 and control characters
// other than newline and tab by U+FFFD: names come from untrusted files and end up in JSON,
// YAML pointers and terminals (inspection.cpp).
void make_text_safe(Inspection& inspection);
// Parses JSON text or fails naming the file and `what` (e.g. "the header").
util::JsonValue parse_json_or_fail(const formats::ByteSource& source,
                                   std::string_view format,
                                   std::string_view what,
                                   std::string_view text);

} // namespace mlv::inspect::reader
