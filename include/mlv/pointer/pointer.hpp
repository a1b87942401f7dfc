#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mlv::pointer {

inline constexpr std::string_view k_suffix = ".mlv";
inline constexpr int k_format_version = 1;

enum class Kind { file, dir };

// A pointer file `<name>.mlv` (docs/formats.md, "Pointer file").
struct Pointer {
  int version = k_format_version;
  std::string path; // relative to the pointer's folder, '/'-separated, no "..", not absolute
  Kind kind = Kind::file;
  std::string sha256; // file id, or for a dir the id of its dir listing
  std::uint64_t size = 0;
  std::optional<std::uint64_t> files; // dirs only: file count
  std::string format = "unknown";
  YAML::Node summary; // what the format itself records, in short (docs/inspect.md; a map, or null)
  YAML::Node meta;    // user metadata (a map, or null)
  YAML::Node safety;  // the scanner's verdict and findings (a map, or null)
  YAML::Node extra;   // unknown top-level keys, kept on rewrite (a map, or null)
};

// Why `path` cannot be a pointer's `path` field, or nullopt when it can: it must be non-empty,
// relative, without a ".." part, a backslash or a control character (docs/formats.md). `mlv add`
// checks a name with this before writing anything, so it never writes a pointer it cannot read.
std::optional<std::string> path_problem(const std::string& path);

// Whether a pointer file's text holds unresolved git merge conflict markers.
bool has_conflict_markers(std::string_view text);

// Parses and validates; throws Error(bad_input) naming `source` and the field at fault, or, for
// a pointer with merge conflict markers, saying how to resolve it.
Pointer parse_pointer(std::string_view text, const std::string& source);
// YAML with a comment line on top and a stable key order.
std::string serialize_pointer(const Pointer& pointer);

Pointer read_pointer(const std::filesystem::path& pointer_path);
void write_pointer(const std::filesystem::path& pointer_path, const Pointer& pointer);

// "models/a.bin" -> "models/a.bin.mlv"
std::filesystem::path pointer_path_for(const std::filesystem::path& data_path);
bool is_pointer_path(const std::filesystem::path& path);
// A path given for a model or for its pointer, as the pointer's: "m.bin" and "m.bin.mlv" both
// give "m.bin.mlv" ('/'-separated text, as git and the command line have it).
std::string as_pointer_path(const std::string& path);
// The data path a pointer names: its own folder joined with `path`.
std::filesystem::path data_path_of(const std::filesystem::path& pointer_path,
                                   const Pointer& pointer);

std::string_view kind_name(Kind kind);

} // namespace mlv::pointer
