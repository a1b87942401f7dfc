#pragma once

#include <mlv/util/json.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlv::pointer {

// Typed reading of the values in a pointer's maps (meta, summary, safety): YAML keeps numbers
// as plain text, so a metric's type is how YAML 1.2's core schema reads it. A quoted scalar is
// always a string.
enum class ScalarType { string, integer, real, boolean, null };
ScalarType scalar_type(const YAML::Node& node);

// The value of an integer or finite real scalar; nullopt for anything else.
std::optional<double> number_value(const YAML::Node& node);

// A shortest round-trip decimal text for a double ("0.02", "1e-07").
std::string number_text(double value);

// The leaves of a map under dotted keys, in document order: {eval: {acc: 0.9}} gives
// ("eval.acc", 0.9). Scalars and sequences are leaves; a null or non-map node gives nothing.
std::vector<std::pair<std::string, YAML::Node>> flatten(const YAML::Node& map);

// One line of text for a value: a scalar as written, a sequence or map in flow style.
std::string display_text(const YAML::Node& node);

// Writes a node as JSON: maps as objects, sequences as arrays, scalars typed (numbers stay
// numbers, true/false booleans, null null; .inf and .nan as strings).
void write_json(util::JsonWriter& json, const YAML::Node& node);

} // namespace mlv::pointer
