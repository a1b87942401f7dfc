#pragma once

#include <mlv/pointer/pointer.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/util/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlv::cli {

// Shared by show, diff, log and model: how ids, registry tags and metadata read for people and
// in JSON.

// The first 12 hex digits of a commit or content id.
std::string short_id(const std::string& id);

// "+1.2 MiB", "-512 B", "+0 B".
std::string size_delta_text(std::uint64_t old_size, std::uint64_t new_size);

// "accuracy=0.93 loss=0.2": a pointer's flattened metrics on one line.
std::string metrics_line(const pointer::Pointer& pointer);

// A registry tag as a JSON object: tag, type, version, stage and number (assignments), commit,
// path, pointer, sha256, size, format, message, tagger, email, date.
void write_registry_tag(util::JsonWriter& json, const registry::RegistryTag& tag);

// The pointer's meta entry `key` (metrics, params, added...); null when absent.
YAML::Node meta_value(const pointer::Pointer& pointer, const char* key);

// Indented "key: value" lines for any YAML map (summary, safety, meta), nested maps indented
// further, long lists cut after a few items.
std::vector<std::string> yaml_lines(const YAML::Node& map, const std::string& indent);

// A map as a JSON object of dotted keys to typed values ({"eval.f1": 0.88}).
void write_flat_json(util::JsonWriter& json, const YAML::Node& map);

} // namespace mlv::cli
