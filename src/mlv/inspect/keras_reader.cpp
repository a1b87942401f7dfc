// Keras models. A Keras 3 .keras file is a zip of config.json (the model's architecture as JSON),
// metadata.json (keras_version, date_saved) and model.weights.h5. A Keras 2 .h5 file keeps the
// same JSON in its root group's model_config attribute (hdf5_reader.cpp). The JSON is parsed as
// data; no layer is built.

#include "probes.hpp"
#include "readers.hpp"

#include <mlv/formats/range_source.hpp>

#include <algorithm>

namespace mlv::inspect::reader {

namespace {

constexpr std::string_view k_format = "Keras";
constexpr std::string_view k_config_member = "config.json";
constexpr std::string_view k_metadata_member = "metadata.json";
constexpr std::string_view k_weights_member = "model.weights.h5";
// Model configs of very large models run to a few MiB.
constexpr std::uint64_t k_max_json_member = 64ull << 20;

const formats::ZipEntry* find_member(const std::vector<formats::ZipEntry>& members,
                                     std::string_view name) {
  const auto found =
      std::find_if(members.begin(), members.end(),
                   [&](const formats::ZipEntry& entry) { return entry.name == name; });
  return found == members.end() ? nullptr : &*found;
}

// A JSON member's text, stored or deflated (Keras writes config.json deflated); nullopt when
// absent, compressed otherwise, or too large to be a config.
std::optional<std::string> json_member(const formats::ByteSource& source,
                                       const formats::ZipEntry* entry) {
  if (entry == nullptr || entry->uncompressed_size > k_max_json_member) {
    return std::nullopt;
  }
  if (const auto member = formats::stored_member(source, *entry)) {
    return member->read_at(0, static_cast<std::size_t>(member->size()));
  }
  if (const auto member = formats::compressed_member_head(source, *entry, k_max_json_member)) {
    return member->read_at(0, static_cast<std::size_t>(member->size()));
  }
  return std::nullopt;
}

} // namespace

void add_keras_config_facts(const formats::ByteSource& source,
                            std::string_view config_json,
                            Inspection& out) {
  const auto config = parse_json_or_fail(source, k_format, "the model config", config_json);
  if (!config.is_object()) {
    return;
  }
  if (const auto class_name = config.string_at("class_name")) {
    out.add_fact("class_name", *class_name);
  }
  const auto* inner = config.find("config");
  if (inner == nullptr || !inner->is_object()) {
    return;
  }
  if (const auto name = inner->string_at("name")) {
    out.add_fact("model_name", *name);
  }
  if (const auto* layers = inner->find("layers"); layers != nullptr && layers->is_array()) {
    out.add_fact("layers", static_cast<std::uint64_t>(layers->items.size()));
  }
}

void read_keras_zip(const formats::ByteSource& source, Inspection& out) {
  const auto members = probe::list_zip_members(source);
  const auto* config = find_member(members, k_config_member);
  const auto* metadata = find_member(members, k_metadata_member);
  if (const auto text = json_member(source, metadata)) {
    const auto document = parse_json_or_fail(source, k_format, "metadata.json", *text);
    if (const auto version = document.string_at("keras_version")) {
      out.add_fact("keras_version", *version);
    }
    if (const auto saved = document.string_at("date_saved")) {
      out.add_fact("date_saved", *saved);
    }
  }
  if (const auto text = json_member(source, config)) {
    add_keras_config_facts(source, *text, out);
  } else if (config != nullptr) {
    out.add_fact("config", std::string("compressed by a method mlv does not read"));
  }
  if (const auto* weights = find_member(members, k_weights_member)) {
    out.add_fact("weights_bytes", weights->uncompressed_size);
  }
}

} // namespace mlv::inspect::reader
