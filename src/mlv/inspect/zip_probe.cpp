#include "probes.hpp"

#include <mlv/formats/zip_reader.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>

namespace mlv::inspect::probe {

namespace {

// torch.save's zip format keeps the pickled object in "<archive name>/data.pkl".
constexpr std::string_view k_pytorch_pickle = "data.pkl";
// A Keras 3 .keras file: a zip of the model's config and an HDF5 file of its weights.
constexpr std::string_view k_keras_config = "config.json";
constexpr std::string_view k_keras_weights = "model.weights.h5";
constexpr std::string_view k_numpy_member_suffix = ".npy";

} // namespace

bool names_file(const formats::ZipEntry& entry, std::string_view file_name) {
  const std::string_view name = entry.name;
  return name == file_name ||
         (name.ends_with(file_name) && name[name.size() - file_name.size() - 1] == '/');
}

std::vector<formats::ZipEntry> list_zip_members(const formats::ByteSource& source) {
  try {
    return formats::read_zip_directory(source);
  } catch (const Error&) {
    return formats::read_zip_local_headers(source);
  }
}

std::string classify_zip(const formats::ByteSource& source) {
  std::vector<formats::ZipEntry> members = list_zip_members(source);
  std::erase_if(members, [](const formats::ZipEntry& entry) { return entry.is_directory(); });
  const auto any_named = [&](std::string_view file_name, bool at_root) {
    return std::any_of(members.begin(), members.end(), [&](const formats::ZipEntry& entry) {
      return at_root ? entry.name == file_name : names_file(entry, file_name);
    });
  };
  if (any_named(k_pytorch_pickle, false)) {
    return "pytorch";
  }
  if (any_named(k_keras_config, true) && any_named(k_keras_weights, true)) {
    return "keras";
  }
  if (!members.empty() &&
      std::all_of(members.begin(), members.end(), [](const formats::ZipEntry& entry) {
        return std::string_view(entry.name).ends_with(k_numpy_member_suffix);
      })) {
    return "numpy";
  }
  return "unknown";
}

} // namespace mlv::inspect::probe
