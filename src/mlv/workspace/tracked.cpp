#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/task_pool.hpp>
#include <mlv/workspace/tracked.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// Folders mlv never looks into for pointers.
bool is_skipped_folder(const fs::path& name) {
  return name == ".git" || name == ".mlv";
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Whether a tracked entry is selected by a repository-relative target ("" is the whole tree).
bool matches(const Tracked& tracked, const std::string& target) {
  if (target.empty()) {
    return true;
  }
  if (tracked.pointer_path == target || tracked.data_path == target) {
    return true;
  }
  const auto folder = target + "/";
  return tracked.pointer_path.starts_with(folder) || tracked.data_path.starts_with(folder);
}

std::vector<std::string> relative_targets(Context& context,
                                          const std::vector<std::string>& targets) {
  std::vector<std::string> relative;
  relative.reserve(targets.size());
  for (const auto& target : targets) {
    relative.push_back(context.relative(target));
  }
  return relative;
}

std::vector<Tracked> filter(std::vector<Tracked> all,
                            const std::vector<std::string>& targets,
                            const std::vector<std::string>& typed) {
  if (targets.empty()) {
    return all;
  }
  std::vector<Tracked> selected;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    bool found = false;
    for (const auto& tracked : all) {
      if (matches(tracked, targets[i])) {
        found = true;
        selected.push_back(tracked);
      }
    }
    if (!found) {
      throw Error(Failure::invalid_input, "'" + typed[i] + "' is not tracked by mlv",
                  "check the path, or track it with `mlv add " + typed[i] + "`");
    }
  }
  std::sort(selected.begin(), selected.end(),
            [](const Tracked& a, const Tracked& b) { return a.pointer_path < b.pointer_path; });
  selected.erase(std::unique(selected.begin(), selected.end(),
                             [](const Tracked& a, const Tracked& b) {
                               return a.pointer_path == b.pointer_path &&
                                      a.pointer.sha256 == b.pointer.sha256;
                             }),
                 selected.end());
  return selected;
}

} // namespace

std::string data_path_for(const std::string& pointer_path, const pointer::Pointer& pointer) {
  const auto folder = fs::path(pointer_path).parent_path();
  return (folder / pointer.path).lexically_normal().generic_string();
}

namespace {

// Every pointer file below the work tree, sorted (skipping .git and .mlv).
std::vector<fs::path> find_pointer_files(const fs::path& root) {
  std::vector<fs::path> files;
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const auto& entry = *it;
    if (entry.is_directory(error) && !entry.is_symlink(error)) {
      if (is_skipped_folder(entry.path().filename())) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (ends_with(entry.path().filename().string(), pointer::k_suffix) &&
        entry.is_regular_file(error)) {
      files.push_back(entry.path());
    }
  }
  if (error) {
    throw Error(Failure::failed, "cannot list " + root.string() + ": " + error.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The selected pointers that could be read; each selected one that could not (malformed, or
// with merge conflict markers) is put off on the context, or thrown when nothing else is left.
std::vector<Tracked> without_unreadable(Context& context,
                                        std::vector<Tracked> selected,
                                        const std::map<std::string, Error>& problems) {
  if (problems.empty()) {
    return selected;
  }
  std::vector<Tracked> readable;
  for (auto& tracked : selected) {
    if (const auto it = problems.find(tracked.pointer_path); it != problems.end()) {
      context.defer(it->second);
    } else {
      readable.push_back(std::move(tracked));
    }
  }
  if (readable.empty()) {
    context.finish();
  }
  return readable;
}

} // namespace

std::vector<Tracked> workspace_pointers(Context& context, const std::vector<std::string>& targets) {
  const auto& root = context.root();
  const auto files = find_pointer_files(root);
  std::vector<Tracked> all(files.size());
  std::vector<std::optional<Error>> unreadable(files.size());
  // YAML parsing dominates `mlv status` on many pointers: spread it over the cores.
  const std::size_t workers = util::core_workers();
  std::vector<std::future<void>> parts;
  for (std::size_t worker = 0; worker < workers; ++worker) {
    parts.push_back(std::async(std::launch::async, [&, worker] {
      for (std::size_t i = worker; i < files.size(); i += workers) {
        all[i].pointer_path = files[i].lexically_relative(root).generic_string();
        try {
          all[i].pointer = pointer::read_pointer(files[i]);
          all[i].data_path = data_path_for(all[i].pointer_path, all[i].pointer);
        } catch (const Error& error) {
          if (error.kind() != Failure::invalid_input) {
            throw;
          }
          // Selected by its name alone, so that commands on other targets still work.
          unreadable[i] = error;
          all[i].data_path =
              all[i].pointer_path.substr(0, all[i].pointer_path.size() - pointer::k_suffix.size());
        }
      }
    }));
  }
  for (auto& part : parts) {
    part.get(); // rethrows the first failure to read a pointer file at all
  }
  std::map<std::string, Error> problems;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (unreadable[i]) {
      problems.emplace(all[i].pointer_path, *unreadable[i]);
    }
  }
  return without_unreadable(
      context, filter(std::move(all), relative_targets(context, targets), targets), problems);
}

std::vector<std::string> selected_commits(Context& context, const RevisionSelection& selection) {
  auto& git = context.git();
  std::vector<std::string> commits;
  for (const auto& revision : selection.revisions) {
    commits.push_back(git.resolve_commit(revision));
  }
  if (selection.all_commits) {
    const auto all = git.all_commits();
    commits.insert(commits.end(), all.begin(), all.end());
  } else {
    if (selection.all_branches) {
      const auto tips = git.branch_commits();
      commits.insert(commits.end(), tips.begin(), tips.end());
    }
    if (selection.all_tags) {
      const auto tagged = git.tag_commits();
      commits.insert(commits.end(), tagged.begin(), tagged.end());
    }
  }
  if (selection.stash) {
    for (auto& stashed : git.stash_commits()) {
      commits.push_back(std::move(stashed.commit));
    }
  }
  std::set<std::string> seen;
  std::vector<std::string> unique;
  for (auto& commit : commits) {
    if (seen.insert(commit).second) {
      unique.push_back(std::move(commit));
    }
  }
  return unique;
}

std::vector<Tracked> revision_pointers(Context& context,
                                       const RevisionSelection& selection,
                                       const std::vector<std::string>& targets) {
  std::vector<Tracked> all;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& commit : selected_commits(context, selection)) {
    for (const auto& file :
         context.git().files_with_suffix(commit, std::string(pointer::k_suffix))) {
      const auto source = file.path + " at commit " + commit.substr(0, 12);
      auto parsed = pointer::parse_pointer(file.content, source);
      if (!seen.emplace(file.path, parsed.sha256).second) {
        continue;
      }
      Tracked tracked;
      tracked.pointer_path = file.path;
      tracked.data_path = data_path_for(file.path, parsed);
      tracked.pointer = std::move(parsed);
      all.push_back(std::move(tracked));
    }
  }
  std::sort(all.begin(), all.end(),
            [](const Tracked& a, const Tracked& b) { return a.pointer_path < b.pointer_path; });
  return filter(std::move(all), relative_targets(context, targets), targets);
}

} // namespace mlv::workspace
