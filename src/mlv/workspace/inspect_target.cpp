#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/context.hpp>
#include <mlv/workspace/inspect_target.hpp>

#include <system_error>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

bool is_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

bool path_exists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error);
}

InspectTarget from_pointer(const fs::path& pointer_file) {
  const auto pointer = pointer::read_pointer(pointer_file);
  InspectTarget target;
  target.pointer = pointer_file;
  target.id = pointer.sha256;
  const auto data = pointer::data_path_of(pointer_file, pointer);
  target.file_name = data.filename().string();
  std::error_code error;
  const bool present = pointer.kind == pointer::Kind::dir ? fs::is_directory(data, error)
                                                          : fs::is_regular_file(data, error);
  if (present) {
    target.read = data;
    target.source = InspectTarget::Source::workspace;
    return target;
  }
  if (pointer.kind == pointer::Kind::dir) {
    throw Error(Failure::not_found,
                "cannot inspect " + pointer_file.string() + ": its folder " + data.string() +
                    " is not in the workspace",
                "run `mlv checkout " + pointer_file.string() + "` (or `mlv pull`) first");
  }
  auto context = Context::open(pointer_file.parent_path().empty() ? fs::path(".")
                                                                  : pointer_file.parent_path());
  if (!context.cache().has_file(pointer.sha256)) {
    throw Error(Failure::not_found,
                "cannot inspect " + pointer_file.string() + ": " + data.string() +
                    " is not in the workspace and object " + pointer.sha256 +
                    " is not in the cache",
                "run `mlv pull " + pointer_file.string() + "` to get it");
  }
  target.read = context.cache().file_path(pointer.sha256);
  target.source = InspectTarget::Source::cache;
  return target;
}

} // namespace

InspectTarget resolve_inspect_target(const fs::path& argument) {
  if (pointer::is_pointer_path(argument) && is_file(argument)) {
    return from_pointer(argument);
  }
  if (path_exists(argument)) {
    InspectTarget target;
    target.read = argument;
    target.file_name = argument.filename().string();
    return target;
  }
  if (const auto pointer_file = pointer::pointer_path_for(argument); is_file(pointer_file)) {
    return from_pointer(pointer_file);
  }
  throw Error(Failure::not_found,
              "cannot inspect " + argument.string() + ": no such file, folder or pointer",
              "give a model file, a folder, or a PATH.mlv pointer");
}

std::string source_name(InspectTarget::Source source) {
  switch (source) {
  case InspectTarget::Source::workspace:
    return "workspace";
  case InspectTarget::Source::cache:
    return "cache";
  default:
    return "path";
  }
}

} // namespace mlv::workspace
