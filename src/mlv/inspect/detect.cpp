#include "probes.hpp"

#include <mlv/formats/content.hpp>
#include <mlv/formats/decompress.hpp>
#include <mlv/formats/zip_reader.hpp>
#include <mlv/inspect/detect.hpp>
#include <mlv/util/error.hpp>

#include <system_error>

namespace mlv::inspect {

namespace {

namespace fs = std::filesystem;

// A TensorFlow SavedModel is a directory holding its graph in one of these.
constexpr const char* k_savedmodel_files[] = {"saved_model.pb", "saved_model.pbtxt"};

std::string detect_pickle(const formats::ByteSource& source, formats::PickleKind kind) {
  if (kind == formats::PickleKind::torch_legacy) {
    return "pytorch";
  }
  return formats::references_joblib(source) ? "joblib" : "pickle";
}

} // namespace

std::string probe::detect_directory(const fs::path& path) {
  for (const char* name : k_savedmodel_files) {
    std::error_code error;
    if (fs::is_regular_file(path / name, error)) {
      return "savedmodel";
    }
  }
  return "unknown";
}

std::string detect_format(const formats::ByteSource& source, const std::string& file_name) {
  if (source.size() == 0) {
    return "unknown";
  }
  const std::string head = source.read_at(0, probe::k_head_bytes);
  const auto kinds = formats::classify_content(head);
  if (kinds.gguf) {
    return "gguf";
  }
  if (kinds.numpy_file()) {
    return "numpy";
  }
  if (kinds.zip) {
    return probe::classify_zip(source);
  }
  // Before pickle: a safetensors header length can begin with the PROTO byte 0x80.
  if (probe::is_safetensors(source, head)) {
    return "safetensors";
  }
  if (kinds.pickle != formats::PickleKind::none) {
    return detect_pickle(source, kinds.pickle);
  }
  if (probe::is_onnx(head, source.size())) {
    return "onnx";
  }
  if (const auto compression = kinds.compression; compression != formats::Compression::none) {
    // joblib < 0.10 alone wrote "ZF" files; other compressed data is joblib's when its pickle
    // says so or, if it cannot be read (lz4, damage), when its name does.
    return compression == formats::Compression::joblib_zfile ||
                   probe::is_compressed_joblib(source, compression) ||
                   probe::named_like_joblib(file_name)
               ? "joblib"
               : "unknown";
  }
  if (const auto superblock = probe::find_hdf5_signature(source)) {
    return probe::is_keras_hdf5(source, *superblock) ? "keras" : "hdf5";
  }
  return "unknown";
}

fs::file_status probe::status_or_throw(const fs::path& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (error) {
    throw Error(error == std::errc::no_such_file_or_directory ? Failure::not_found
                                                              : Failure::failed,
                "cannot inspect " + path.string() + ": " + error.message(),
                "check that the path exists and is readable");
  }
  return status;
}

std::string detect_format(const std::filesystem::path& path) {
  const auto status = probe::status_or_throw(path);
  if (fs::is_directory(status)) {
    return probe::detect_directory(path);
  }
  if (!fs::is_regular_file(status)) {
    return "unknown"; // a device or a pipe is no model file, and reading it could block
  }
  const formats::FileSource source(path);
  return detect_format(source, path.filename().string());
}

} // namespace mlv::inspect
