#pragma once

#include <mlv/cache/cache.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// When `file_name` is named as the temporary file mlv makes while writing NAME in the same folder
// (".NAME.tmp-<12 of [0-9a-z]>" from a copy, ".NAME.mlv-tmp-<digits>" from a link): NAME. So an
// interrupted checkout's leftovers can be swept without touching anything a user made.
std::optional<std::string> temporary_target(std::string_view file_name);

// Removes the temporaries of an interrupted checkout beside each of `targets` (paths of files
// in the workspace), and of an interrupted pointer write beside them; lists each folder once. Call
// with the workspace lock held.
void sweep_temporaries(const std::vector<std::filesystem::path>& targets);

} // namespace mlv::workspace
