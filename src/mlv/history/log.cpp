#include <mlv/history/log.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/tracked.hpp>

namespace mlv::history {

namespace {

// The entry a registry tag describes: the newest version with the tag's id whose commit the
// tagged commit contains (a model registered some commits after it last changed), else the
// newest version with that id.
LogEntry* entry_for_tag(std::vector<LogEntry>& entries,
                        const registry::RegistryTag& tag,
                        const git::Repository& git) {
  LogEntry* same_id = nullptr;
  for (auto& entry : entries) {
    if (!entry.pointer || entry.pointer->sha256 != tag.record.sha256) {
      continue;
    }
    if (git.is_ancestor(entry.commit.id, tag.commit)) {
      return &entry;
    }
    if (same_id == nullptr) {
      same_id = &entry;
    }
  }
  return same_id;
}

void attach_registry_tags(std::vector<LogEntry>& entries,
                          const std::string& pointer_path,
                          const git::Repository& git) {
  for (const auto& model : registry::load_models(git)) {
    for (const auto* tags : {&model.versions, &model.assignments}) {
      for (const auto& tag : *tags) {
        if (tag.record.pointer != pointer_path) {
          continue;
        }
        if (auto* entry = entry_for_tag(entries, tag, git)) {
          entry->tags.push_back(tag);
        }
      }
    }
  }
}

} // namespace

LogResult log(workspace::Context& context, const std::string& path, const std::string& revision) {
  auto& git = context.git();
  LogResult result;
  result.pointer_path = pointer::as_pointer_path(context.relative(path));
  const auto start = git.resolve_commit(revision);
  for (const auto& change : git.path_changes(start, result.pointer_path)) {
    LogEntry entry;
    entry.commit = git.commit_info(change.commit);
    if (change.blob) {
      entry.pointer =
          pointer::parse_pointer(git.read_blob(*change.blob),
                                 result.pointer_path + " at commit " + change.commit.substr(0, 12));
    }
    result.entries.push_back(std::move(entry));
  }
  if (result.entries.empty()) {
    throw Error(Failure::not_found,
                "'" + path + "' has no mlv pointer in the history of " + revision,
                "check the path (`mlv status` lists tracked models); a model's history starts "
                "with the commit of its pointer");
  }
  for (const auto& entry : result.entries) {
    if (entry.pointer) {
      result.data_path = workspace::data_path_for(result.pointer_path, *entry.pointer);
      break;
    }
  }
  attach_registry_tags(result.entries, result.pointer_path, git);
  return result;
}

} // namespace mlv::history
