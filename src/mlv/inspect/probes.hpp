#pragma once

// Private to the inspect module: one predicate per format, each looking only at the bytes it
// names. detect.cpp decides the order in which they are asked.

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/decompress.hpp>
#include <mlv/formats/pickle_probe.hpp>
#include <mlv/formats/zip_reader.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::inspect::probe {

// How many bytes from the start of a file every probe may look at.
constexpr std::size_t k_head_bytes = 64 << 10;
// A safetensors JSON header larger than this is garbage that happened to fit the layout.
constexpr std::uint64_t k_max_safetensors_header = 100ull << 20;

// --- paths (detect.cpp)
// The path's status; Error(missing) when it does not exist, Error(failure) naming it otherwise.
std::filesystem::file_status status_or_throw(const std::filesystem::path& path);
// "savedmodel" for a folder holding a SavedModel graph, else "unknown".
std::string detect_directory(const std::filesystem::path& path);

// --- binary formats (binary_probes.cpp); the magic numbers at offset 0 are
// formats::classify_content's.
// Offset of the HDF5 superblock signature: 0 or a power of two from 512 on.
std::optional<std::uint64_t> find_hdf5_signature(const formats::ByteSource& source);
// An HDF5 file that Keras wrote: its root attributes name the Keras version or model config.
bool is_keras_hdf5(const formats::ByteSource& source, std::uint64_t superblock);
bool is_safetensors(const formats::ByteSource& source, std::string_view head);
bool is_onnx(std::string_view head, std::uint64_t file_size);

// --- pickle streams: classify_pickle, declared_pickle_protocol and references_joblib are
// formats' (<mlv/formats/pickle_probe.hpp>).

// --- compressed streams (compressed_probe.cpp); detect_compression tells their kind.
// The first k_head_bytes the stream decompresses to, or fewer when it ends, is damaged or cannot
// be decoded (lz4); never throws on content.
std::string decompressed_head(const formats::ByteSource& source, formats::Compression kind);
// Whether the decompressed head is a pickle that references joblib's numpy_pickle module.
bool is_compressed_joblib(const formats::ByteSource& source, formats::Compression kind);
// Whether a file name says pickle or joblib, after any compression suffix (model.pkl.gz).
bool named_like_joblib(const std::string& file_name);

// --- zip archives (zip_probe.cpp): pytorch, keras, numpy or unknown.
std::string classify_zip(const formats::ByteSource& source);
// The members the central directory lists or, when it is damaged, those the local headers show.
std::vector<formats::ZipEntry> list_zip_members(const formats::ByteSource& source);
// Whether a member is `file_name` at the top level or in any folder ("x/data.pkl").
bool names_file(const formats::ZipEntry& entry, std::string_view file_name);

} // namespace mlv::inspect::probe
