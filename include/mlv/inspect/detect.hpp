#pragma once

#include <mlv/formats/byte_source.hpp>

#include <filesystem>
#include <string>

namespace mlv::inspect {

// The format of a model file or directory, judged from its content and never by running or
// deserializing it: one of pickle, joblib, pytorch, safetensors, onnx, hdf5, keras, savedmodel,
// gguf, numpy, unknown. Reads at most the first MiB (4 MiB of compressed data, decompressed to
// look at the pickle inside) and, for a zip, its central directory, so it stays fast on multi-GiB
// files. The rules are in docs/formats-detection.md. Throws Error only when the path cannot be
// read; odd or damaged content is "unknown".
std::string detect_format(const std::filesystem::path& path);

// The same rules for bytes that are not a file of their own (a zip member, a test buffer).
// `file_name` is consulted only for compressed data whose content cannot tell (lz4, damage, or a
// pickle without joblib's arrays).
std::string detect_format(const formats::ByteSource& source, const std::string& file_name);

} // namespace mlv::inspect
