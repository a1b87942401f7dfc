#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/materialize.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace mlv::workspace {

namespace fs = std::filesystem;

void sweep_temporaries(std::vector<std::string> targets) {
  // Sorted paths rather than a set of names per folder: a folder may list 100,000 files.
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  const auto is_target = [&](const std::string& path) {
    return std::binary_search(targets.begin(), targets.end(), path);
  };
  std::set<fs::path> folders;
  for (const auto& target : targets) {
    folders.insert(fs::path(target).parent_path());
  }
  for (const auto& folder : folders) {
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
      const auto name = temporary_target(it->path().filename().string());
      if (!name || it->is_directory(error)) {
        continue;
      }
      const auto target = (folder / *name).string();
      // The pointer beside a target and the folder's .gitignore too: a killed `mlv add` leaves
      // the temporaries of their atomic writes.
      const bool ours =
          is_target(target) || *name == ".gitignore" ||
          (name->ends_with(pointer::k_suffix) &&
           is_target((folder / name->substr(0, name->size() - pointer::k_suffix.size())).string()));
      if (ours) {
        std::error_code ignored; // a temporary that cannot go is left for the next sweep
        fs::remove(it->path(), ignored);
      }
    }
  }
}

std::vector<LinkType> parse_link_types(const std::string& value) {
  std::vector<LinkType> types;
  std::stringstream words(value);
  std::string word;
  while (std::getline(words, word, ',')) {
    if (word == "reflink") {
      types.push_back(LinkType::reflink);
    } else if (word == "hardlink") {
      types.push_back(LinkType::hardlink);
    } else if (word == "symlink") {
      types.push_back(LinkType::symlink);
    } else if (word == "copy") {
      types.push_back(LinkType::copy);
    } else {
      throw Error(Failure::invalid_input, "config cache.type: unknown link type '" + word + "'",
                  "use a comma-separated list of reflink, hardlink, symlink, copy");
    }
  }
  if (types.empty()) {
    throw Error(Failure::invalid_input, "config cache.type is empty",
                "use a comma-separated list of reflink, hardlink, symlink, copy");
  }
  return types;
}

std::string link_type_name(LinkType type) {
  switch (type) {
  case LinkType::reflink:
    return "reflink";
  case LinkType::hardlink:
    return "hardlink";
  case LinkType::symlink:
    return "symlink";
  case LinkType::copy:
    return "copy";
  }
  return "copy";
}

} // namespace mlv::workspace
