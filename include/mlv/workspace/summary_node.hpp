#pragma once

#include <mlv/inspect/inspect.hpp>

#include <yaml-cpp/yaml.h>

#include <vector>

namespace mlv::workspace {

// A pointer's `summary` map from inspect's typed summary: numbers and text as scalars, lists in
// flow style ([a, b]) so a pointer stays short in review. A null node for an empty summary (the
// pointer then has no `summary` key).
YAML::Node summary_node(const std::vector<inspect::Field>& summary);

} // namespace mlv::workspace
