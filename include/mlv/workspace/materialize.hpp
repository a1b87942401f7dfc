#pragma once

#include <mlv/cache/cache.hpp>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace mlv::workspace {

// How a cached object is placed in the workspace (config `cache.type`, tried in order).
enum class LinkType { reflink, hardlink, symlink, copy };

inline constexpr const char* k_default_link_types = "reflink,copy";

// Parses "reflink,copy"; Error(bad_input) naming `cache.type` on an unknown word.
std::vector<LinkType> parse_link_types(const std::string& value);
std::string link_type_name(LinkType type);

// Puts cached file `id` at `destination`, replacing whatever is there, with the first link type
// in `order` that works. The bytes are verified against the id first (a corrupted object is
// Error(integrity) naming it), and the destination appears only complete (temporary name, then
// rename). Returns the link type used.
LinkType materialize(cache::Cache& cache,
                     const std::string& id,
                     const std::filesystem::path& destination,
                     bool executable,
                     std::span<const LinkType> order);

} // namespace mlv::workspace
