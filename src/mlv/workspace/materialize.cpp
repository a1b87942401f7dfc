#include <mlv/hash/sha256.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/materialize.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <linux/fs.h>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/stat.h>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

Error corrupted(const std::string& id, const fs::path& object) {
  return Error(ExitCode::integrity,
               "cache object " + id + " (" + object.string() +
                   ") is corrupted: its bytes no longer "
                   "match its id",
               "run `mlv verify` to list damaged objects, delete them, then `mlv fetch` again");
}

constexpr std::string_view k_link_temporary = ".mlv-tmp-";
// util::AtomicFile's temporary names: ".NAME.tmp-" and 12 characters of [0-9a-z].
constexpr std::string_view k_copy_temporary = ".tmp-";
constexpr std::size_t k_copy_suffix_length = 12;

fs::path temporary_beside(const fs::path& destination) {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  return destination.parent_path() /
         ("." + destination.filename().string() + std::string(k_link_temporary) +
          std::to_string(generator() % 1000000000));
}

bool try_reflink(const fs::path& object, const fs::path& temp) {
  const int source = ::open(object.c_str(), O_RDONLY | O_CLOEXEC);
  if (source < 0) {
    return false;
  }
  const int target = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (target < 0) {
    ::close(source);
    return false;
  }
  const bool cloned = ::ioctl(target, FICLONE, source) == 0;
  ::close(source);
  ::close(target);
  if (!cloned) {
    ::unlink(temp.c_str());
  }
  return cloned;
}

bool place_link(LinkType type, const fs::path& object, const fs::path& temp) {
  switch (type) {
  case LinkType::reflink:
    return try_reflink(object, temp);
  case LinkType::hardlink:
    return ::link(object.c_str(), temp.c_str()) == 0;
  case LinkType::symlink:
    return ::symlink(fs::absolute(object).c_str(), temp.c_str()) == 0;
  case LinkType::copy:
    return false;
  }
  return false;
}

} // namespace

std::optional<std::string> temporary_target(std::string_view file_name) {
  if (file_name.size() < 2 || file_name.front() != '.') {
    return std::nullopt;
  }
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto digit_or_lower = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  };
  if (const auto at = file_name.rfind(k_link_temporary); at != std::string_view::npos && at > 1) {
    const auto digits = file_name.substr(at + k_link_temporary.size());
    if (!digits.empty() && digits.size() <= 9 && std::all_of(digits.begin(), digits.end(), digit)) {
      return std::string(file_name.substr(1, at - 1));
    }
  }
  if (const auto at = file_name.rfind(k_copy_temporary); at != std::string_view::npos && at > 1) {
    const auto suffix = file_name.substr(at + k_copy_temporary.size());
    if (suffix.size() == k_copy_suffix_length &&
        std::all_of(suffix.begin(), suffix.end(), digit_or_lower)) {
      return std::string(file_name.substr(1, at - 1));
    }
  }
  return std::nullopt;
}

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
      throw Error(ExitCode::bad_input, "config cache.type: unknown link type '" + word + "'",
                  "use a comma-separated list of reflink, hardlink, symlink, copy");
    }
  }
  if (types.empty()) {
    throw Error(ExitCode::bad_input, "config cache.type is empty",
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

LinkType materialize(cache::Cache& cache,
                     const std::string& id,
                     const fs::path& destination,
                     bool executable,
                     std::span<const LinkType> order) {
  const auto object = cache.file_path(id);
  if (!cache.has_file(id)) {
    throw Error(ExitCode::missing,
                "object " + id + " for " + destination.string() + " is not in the cache",
                "run `mlv pull` (or `mlv fetch`) to download it");
  }
  util::make_directories(destination.parent_path());
  // An object this process fetched and verified whole needs no second hash.
  bool verified = cache.verified_here(id);
  for (const auto type : order) {
    if (type == LinkType::copy) {
      cache.copy_out(id, destination, executable ? 0755 : 0644);
      return type;
    }
    // Hard and symbolic links share the object's bytes, so the object is verified first; a
    // reflink clone is verified itself once made (where reflinks fail, nothing was hashed).
    if (!verified && type != LinkType::reflink) {
      if (!cache.verify_file(id)) {
        throw corrupted(id, object);
      }
      verified = true;
    }
    const auto temp = temporary_beside(destination);
    if (!place_link(type, object, temp)) {
      continue;
    }
    if (type == LinkType::reflink && !verified && hash::sha256_file_hex(temp) != id) {
      ::unlink(temp.c_str());
      throw corrupted(id, object);
    }
    if (type == LinkType::reflink) {
      ::chmod(temp.c_str(), executable ? 0755 : 0644);
    }
    if (::rename(temp.c_str(), destination.c_str()) != 0) {
      const int error_number = errno;
      ::unlink(temp.c_str());
      throw Error(ExitCode::failure,
                  errno_message("cannot replace", destination.string(), error_number));
    }
    return type;
  }
  // Every configured link type failed (e.g. hardlink across filesystems): a copy always works.
  cache.copy_out(id, destination, executable ? 0755 : 0644);
  return LinkType::copy;
}

} // namespace mlv::workspace
