#include <mlv/formats/byte_source.hpp>
#include <mlv/inspect/detect.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/context.hpp>
#include <mlv/workspace/safety.hpp>

#include <algorithm>
#include <optional>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// A file to scan, and the name it is reported under.
struct ScanTarget {
  std::string shown;
  fs::path bytes;
};

// Folders mlv and git manage, never model files.
bool is_managed_folder(const fs::path& path) {
  const auto name = path.filename();
  return name == ".git" || name == ".mlv";
}

void add_folder(const fs::path& folder, std::vector<ScanTarget>& targets) {
  std::vector<ScanTarget> found;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(folder, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_directory(error) && is_managed_folder(it->path())) {
      it.disable_recursion_pending();
    } else if (it->is_regular_file(error) && !pointer::is_pointer_path(it->path())) {
      found.push_back({it->path().generic_string(), it->path()});
    }
  }
  if (error) {
    throw Error(Failure::failed, "cannot list " + folder.string() + ": " + error.message(),
                "check the folder's permissions");
  }
  std::sort(found.begin(), found.end(),
            [](const ScanTarget& a, const ScanTarget& b) { return a.shown < b.shown; });
  targets.insert(targets.end(), found.begin(), found.end());
}

std::optional<Context> repository_of(const fs::path& folder) {
  try {
    return Context::open(folder);
  } catch (const Error&) {
    return std::nullopt; // outside an mlv repository: only the workspace data can be read
  }
}

Error data_missing(const fs::path& pointer_file, const fs::path& data) {
  return Error(Failure::not_found,
               "cannot scan " + pointer_file.string() +
                   ": its data is neither in the cache nor at " + data.string(),
               "run `mlv fetch` for it first (scan reads the cached object; pull would also "
               "check it out, which the safety policy may refuse)");
}

// The cache object of `id`, else the workspace file.
fs::path bytes_of(std::optional<Context>& context,
                  const std::string& id,
                  const fs::path& workspace_file,
                  const fs::path& pointer_file) {
  if (context && context->cache().has_file(id)) {
    return context->cache().file_path(id);
  }
  if (fs::is_regular_file(workspace_file)) {
    return workspace_file;
  }
  throw data_missing(pointer_file, workspace_file);
}

void add_pointer(const fs::path& pointer_file, std::vector<ScanTarget>& targets) {
  const auto pointer = pointer::read_pointer(pointer_file);
  const auto data = pointer::data_path_of(pointer_file, pointer);
  auto context = repository_of(fs::absolute(pointer_file).parent_path());
  if (pointer.kind == pointer::Kind::file) {
    targets.push_back(
        {data.generic_string(), bytes_of(context, pointer.sha256, data, pointer_file)});
    return;
  }
  const auto listing = context ? context->cache().read_dir(pointer.sha256) : std::nullopt;
  if (listing) {
    for (const auto& entry : listing->entries) {
      targets.push_back({(data / entry.path).generic_string(),
                         bytes_of(context, entry.id, data / entry.path, pointer_file)});
    }
  } else if (fs::is_directory(data)) {
    add_folder(data, targets);
  } else {
    throw data_missing(pointer_file, data);
  }
}

} // namespace

std::vector<scan::ScanReport> scan_paths(const std::vector<std::string>& paths) {
  std::vector<ScanTarget> targets;
  for (const auto& typed : paths) {
    const fs::path path(typed);
    std::error_code error;
    const auto status = fs::status(path, error);
    if (!fs::exists(status)) {
      throw Error(Failure::not_found, "cannot scan '" + typed + "': no such file or folder",
                  "check the path; a pointer (NAME.mlv) scans the data it names");
    }
    if (fs::is_directory(status)) {
      add_folder(path, targets);
    } else if (!fs::is_regular_file(status)) {
      throw Error(Failure::invalid_input,
                  "cannot scan '" + typed + "': not a regular file or folder",
                  "give a file, a folder or a NAME.mlv pointer");
    } else if (pointer::is_pointer_path(path)) {
      add_pointer(path, targets);
    } else {
      targets.push_back({typed, path});
    }
  }
  std::vector<scan::ScanReport> reports;
  for (const auto& target : targets) {
    reports.push_back(scan::scan_file(target.bytes));
    reports.back().path = target.shown;
    // Detected under the name the user gave: a pointer's cache object is named by its id.
    reports.back().format = inspect::detect_format(formats::FileSource(target.bytes),
                                                   fs::path(target.shown).filename().string());
  }
  return reports;
}

} // namespace mlv::workspace
