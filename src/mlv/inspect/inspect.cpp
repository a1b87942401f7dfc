#include "probes.hpp"
#include "readers.hpp"

#include <mlv/formats/zip_reader.hpp>
#include <mlv/inspect/detect.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/util/error.hpp>

#include <system_error>

namespace mlv::inspect {

namespace {

namespace fs = std::filesystem;

// Hands the bytes to the reader of their detected format; formats that come in two containers
// (a zip or not) are told apart here by the zip signature, as detection did.
void read_format(const formats::ByteSource& source, Inspection& out) {
  const std::string& format = out.format;
  if (format == "safetensors") {
    reader::read_safetensors(source, out);
  } else if (format == "gguf") {
    reader::read_gguf(source, out);
  } else if (format == "onnx") {
    reader::read_onnx(source, out);
  } else if (format == "numpy") {
    formats::starts_like_zip(source) ? reader::read_npz(source, out)
                                     : reader::read_npy(source, out);
  } else if (format == "pytorch") {
    formats::starts_like_zip(source) ? reader::read_pytorch_zip(source, out)
                                     : reader::read_pytorch_legacy(source, out);
  } else if (format == "keras" && formats::starts_like_zip(source)) {
    reader::read_keras_zip(source, out);
  } else if (format == "keras" || format == "hdf5") {
    if (const auto superblock = probe::find_hdf5_signature(source)) {
      reader::read_hdf5(source, *superblock, out);
    }
  } else if (format == "pickle") {
    reader::read_pickle(source, out);
  } else if (format == "joblib") {
    reader::read_joblib(source, out);
  }
}

// The bytes of every regular file below a directory (links are not followed).
std::uint64_t directory_bytes(const fs::path& directory) {
  std::uint64_t total = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) {
      total += it->file_size(error);
    }
  }
  return total;
}

} // namespace

Inspection inspect_source(const formats::ByteSource& source, const std::string& file_name) {
  Inspection out;
  out.path = source.name();
  out.size = source.size();
  out.format = detect_format(source, file_name);
  read_format(source, out);
  reader::make_text_safe(out);
  return out;
}

Inspection inspect_path(const fs::path& path, const std::string& file_name) {
  const auto status = probe::status_or_throw(path);
  if (fs::is_directory(status)) {
    Inspection out;
    out.path = path.string();
    out.format = probe::detect_directory(path);
    out.size = directory_bytes(path);
    if (out.format == "savedmodel") {
      reader::read_savedmodel(path, out);
    }
    reader::make_text_safe(out);
    return out;
  }
  if (!fs::is_regular_file(status)) {
    Inspection out;
    out.path = path.string();
    out.format = "unknown"; // a device or a pipe is no model file, and reading it could block
    return out;
  }
  const formats::FileSource source(path);
  return inspect_source(source, file_name.empty() ? path.filename().string() : file_name);
}

} // namespace mlv::inspect
