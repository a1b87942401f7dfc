#include "hashing_copy.hpp"

#include <mlv/cache/cache.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/interrupt.hpp>

namespace mlv::cache {

namespace {

namespace fs = std::filesystem;

Error corrupted(const std::string& id, const fs::path& object) {
  return Error(Failure::corrupt,
               "cache object " + id + " (" + object.string() +
                   ") is corrupted: its bytes no longer match its id",
               "run `mlv verify` to list damaged objects, delete them, then `mlv fetch` again");
}

bool place_link(util::Env& env, LinkType type, const fs::path& object, const fs::path& temp) {
  switch (type) {
  case LinkType::reflink:
    return env.reflink(object, temp);
  case LinkType::hardlink:
    return env.hardlink(object, temp);
  case LinkType::symlink:
    return env.symlink(fs::absolute(object), temp);
  case LinkType::copy:
    return false;
  }
  return false;
}

} // namespace

LinkType materialize(Cache& cache,
                     const std::string& id,
                     const fs::path& destination,
                     bool executable,
                     std::span<const LinkType> order) {
  auto& env = cache.env();
  const auto object = cache.file_path(id);
  if (!cache.has_file(id)) {
    throw Error(Failure::not_found,
                "object " + id + " for " + destination.string() + " is not in the cache",
                "run `mlv pull` (or `mlv fetch`) to download it");
  }
  const auto folder = destination.parent_path().empty() ? fs::path(".") : destination.parent_path();
  env.make_directories(folder);
  const unsigned mode = executable ? 0755 : 0644;
  // An object this process fetched and verified whole needs no second hash.
  bool verified = cache.verified_here(id);
  for (const auto type : order) {
    if (type == LinkType::copy) {
      cache.copy_out(id, destination, mode);
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
    const auto temp = util::temporary_path(folder, destination.filename().string());
    // Watched before it exists: a Ctrl-C once it does leaves no temporary behind.
    util::RemoveOnInterrupt on_interrupt(temp);
    if (!place_link(env, type, object, temp)) {
      continue;
    }
    try {
      if (type == LinkType::reflink && !verified && hash_file(env, temp) != id) {
        throw corrupted(id, object);
      }
      if (type == LinkType::reflink) {
        env.set_mode(temp, mode);
      }
      env.rename(temp, destination);
    } catch (...) {
      try {
        env.remove(temp);
      } catch (const Error&) {
        // left for the next command's sweep
      }
      throw;
    }
    return type;
  }
  // Every configured link type failed (e.g. hardlink across filesystems): a copy always works.
  cache.copy_out(id, destination, mode);
  return LinkType::copy;
}

} // namespace mlv::cache
