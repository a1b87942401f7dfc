#pragma once

#include <filesystem>
#include <string>

namespace mlv::workspace {

// What `mlv inspect` reads for the path it was given.
struct InspectTarget {
  enum class Source { path, workspace, cache };

  std::filesystem::path read;    // the file or folder to inspect
  std::string file_name;         // the data's own name (a cache object is named by its id)
  Source source = Source::path;  // a path as given, a pointer's workspace data, or its cache object
  std::filesystem::path pointer; // the pointer file, when one was involved
  std::string id;                // the pointer's sha256, when one was involved
};

// Resolves `mlv inspect PATH`: a pointer file (or a data path whose data is gone but whose
// pointer is there) stands for the data it names, read from the workspace when present, else
// from the cache object with the pointer's id. Any other existing path is read as it is, inside
// a repository or not. Error(missing) when neither the data nor the cache object is there
// (with a hint to pull), or when nothing exists at PATH.
InspectTarget resolve_inspect_target(const std::filesystem::path& argument);

std::string source_name(InspectTarget::Source source);

} // namespace mlv::workspace
