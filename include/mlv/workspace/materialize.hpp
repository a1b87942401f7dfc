#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/util/atomic_file.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::workspace {

// How a cached object is placed in the workspace (config `cache.type`, tried in order); the
// cache owns the placing (cache::materialize).
using cache::LinkType;
using cache::materialize;
using util::temporary_target;

inline constexpr const char* k_default_link_types = "reflink,copy";

// Parses "reflink,copy"; Error(bad_input) naming `cache.type` on an unknown word.
std::vector<LinkType> parse_link_types(const std::string& value);
std::string link_type_name(LinkType type);

// Removes the temporaries of an interrupted checkout beside each of `targets` (paths of files
// in the workspace), and of an interrupted pointer write beside them; lists each folder once. Call
// with the workspace lock held.
void sweep_temporaries(std::vector<std::string> targets);

} // namespace mlv::workspace
