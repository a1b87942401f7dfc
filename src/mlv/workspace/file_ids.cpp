#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/task_pool.hpp>
#include <mlv/workspace/file_ids.hpp>

#include <algorithm>
#include <optional>

namespace mlv::workspace {

namespace fs = std::filesystem;

namespace {

// The stamp of what `path` names (following symbolic links), or nullopt when nothing is there.
std::optional<util::FileStamp> stamp_of(util::Env& env, const fs::path& path) {
  const auto info = env.stat(path);
  return info ? std::optional(util::stamp_of(*info)) : std::nullopt;
}

// A regular file found in a folder being listed, before it is identified. Paths as text: a
// folder may hold 100,000 files, and an fs::path holds each of its components too.
struct FoundFile {
  std::string path;
  std::string relative; // '/'-separated, from the top folder
};

// Collects the regular files among `entries` (those of `folder`; symbolic links to files
// included, links to folders not followed) and adds the empty folders to `listing`, recursively.
void list_folder(util::Env& env,
                 const fs::path& top,
                 const fs::path& folder,
                 const std::vector<util::Env::Entry>& entries,
                 std::vector<FoundFile>& files,
                 cache::DirListing& listing) {
  for (const auto& entry : entries) {
    const auto path = folder / entry.name;
    if (entry.type == util::Env::Type::directory) {
      const auto inside = env.list_directory(path);
      if (inside.empty()) {
        // An empty folder is part of what the folder is (a SavedModel's `assets/`).
        listing.empty_dirs.push_back(path.lexically_relative(top).generic_string());
      } else {
        list_folder(env, top, path, inside, files, listing);
      }
      continue;
    }
    if (entry.type == util::Env::Type::symlink) {
      const auto target = env.stat(path);
      if (!target || target->type != util::Env::Type::file) {
        continue;
      }
    } else if (entry.type != util::Env::Type::file) {
      continue;
    }
    files.push_back({path.string(), path.lexically_relative(top).generic_string()});
  }
}

// Files a worker identifies per task: enough that queueing costs little next to the hashing of
// small files, few enough that the workers share a folder's last files evenly.
constexpr std::size_t k_files_per_task = 16;

// The stamp of a file about to be identified; Error(not_found) naming it when it is gone.
util::FileStamp stamp_or_throw(util::Env& env, const fs::path& path) {
  const auto stamp = stamp_of(env, path);
  if (!stamp) {
    throw Error(Failure::not_found, "no such file: " + path.string());
  }
  return *stamp;
}

// The id the state database remembers for `path` at `stamp`, when it can be used without a read:
// always to compare, and to store only when the cache still holds the object.
std::optional<std::string> usable_known_id(cache::Cache& cache,
                                           const fs::path& path,
                                           const util::FileStamp& stamp,
                                           bool store) {
  auto known = cache.state().find_file_id(path, stamp);
  return known && (!store || cache.has_file(*known)) ? known : std::nullopt;
}

// Reads the file: into the cache when storing, else only to hash it.
cache::StoredFile
read_identity(cache::Cache& cache, const fs::path& path, const util::FileStamp& stamp, bool store) {
  return store ? cache.store_file(path)
               : cache::StoredFile{cache::hash_file(cache.env(), path), stamp.size};
}

// Records the id against the stamp taken before the read: a write during the read changes the
// mtime, so the next look-up misses and hashes again instead of trusting a stale id.
void remember_id(cache::Cache& cache,
                 const fs::path& path,
                 const util::FileStamp& stamp,
                 const std::string& id) {
  if (stamp_of(cache.env(), path) == stamp) {
    cache.state().record_file_id(path, stamp, id);
  }
}

} // namespace

cache::StoredFile identify_file(cache::Cache& cache, const fs::path& path, bool store) {
  const auto stamp = stamp_or_throw(cache.env(), path);
  if (const auto known = usable_known_id(cache, path, stamp, store)) {
    return {*known, stamp.size};
  }
  const auto identified = read_identity(cache, path, stamp, store);
  remember_id(cache, path, stamp, identified.id);
  return identified;
}

cache::DirListing
identify_dir(cache::Cache& cache, const fs::path& folder, bool store, const FileDone& done) {
  auto& env = cache.env();
  cache::DirListing listing;
  std::vector<FoundFile> files;
  list_folder(env, folder, folder, env.list_directory(folder), files, listing);
  listing.entries.resize(files.size());
  const auto report = [&](std::uint64_t size) {
    if (done) {
      done(size);
    }
  };

  // Files the state database knows (path, inode, size, mtime) are not read: all look-ups in one
  // transaction. A transaction holds the database for its thread, so only this one uses it.
  std::vector<util::FileStamp> stamps(files.size());
  std::vector<std::size_t> to_read;
  {
    cache::StateDb::Transaction lookups(cache.state());
    for (std::size_t i = 0; i < files.size(); ++i) {
      stamps[i] = stamp_or_throw(env, files[i].path);
      if (const auto known = usable_known_id(cache, files[i].path, stamps[i], store)) {
        listing.entries[i] = {files[i].relative, *known, stamps[i].size, stamps[i].executable};
        report(stamps[i].size);
      } else {
        to_read.push_back(i);
      }
    }
    lookups.commit();
  }

  // The others are hashed (and stored) on several threads, each writing only its own entries.
  const auto identify = [&](std::size_t i) {
    const auto identified = read_identity(cache, files[i].path, stamps[i], store);
    listing.entries[i] = {files[i].relative, identified.id, identified.size, stamps[i].executable};
    report(identified.size);
  };
  const unsigned workers = util::core_workers();
  if (workers == 1 || to_read.size() <= k_files_per_task) {
    for (const auto i : to_read) {
      identify(i);
    }
  } else {
    util::TaskPool pool(workers, 2 * workers);
    for (std::size_t begin = 0; begin < to_read.size(); begin += k_files_per_task) {
      const auto end = std::min(to_read.size(), begin + k_files_per_task);
      pool.submit([&identify, &to_read, begin, end] {
        for (std::size_t k = begin; k < end; ++k) {
          identify(to_read[k]);
        }
      });
    }
    pool.wait();
  }

  // Recorded in one transaction, against the stamps taken before the reads.
  cache::StateDb::Transaction records(cache.state());
  for (const auto i : to_read) {
    remember_id(cache, files[i].path, stamps[i], listing.entries[i].id);
  }
  records.commit();
  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(listing.empty_dirs.begin(), listing.empty_dirs.end());
  return listing;
}

FileCount count_files(const fs::path& path) {
  FileCount count;
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    count.files = 1;
    count.bytes = fs::file_size(path, error);
    return error ? FileCount{1, 0} : count;
  }
  for (auto it = fs::recursive_directory_iterator(path, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code entry_error;
    if (it->is_regular_file(entry_error)) {
      const auto size = it->file_size(entry_error);
      ++count.files;
      count.bytes += entry_error ? 0 : size;
    }
  }
  return count; // a folder that cannot be listed is reported by the work itself
}

} // namespace mlv::workspace
