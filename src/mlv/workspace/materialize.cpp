#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/materialize.hpp>

#include <map>
#include <set>
#include <sstream>

namespace mlv::workspace {

namespace fs = std::filesystem;

void sweep_temporaries(const std::vector<fs::path>& targets) {
  std::map<fs::path, std::set<std::string>> names_by_folder;
  for (const auto& target : targets) {
    auto& names = names_by_folder[target.parent_path()];
    names.insert(target.filename().string());
    // The pointer beside it and the folder's .gitignore: a killed `mlv add` leaves the
    // temporaries of their atomic writes.
    names.insert(pointer::as_pointer_path(target.filename().string()));
    names.insert(".gitignore");
  }
  for (const auto& [folder, names] : names_by_folder) {
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
      const auto target = temporary_target(it->path().filename().string());
      if (target && names.contains(*target) && !it->is_directory(error)) {
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
