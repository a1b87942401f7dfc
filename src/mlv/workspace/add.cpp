#include <mlv/hash/sha256.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/scan/rules.hpp>
#include <mlv/transfer/meter.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/add.hpp>
#include <mlv/workspace/analysis.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/file_progress.hpp>
#include <mlv/workspace/metadata.hpp>
#include <mlv/workspace/safety.hpp>
#include <mlv/workspace/summary_node.hpp>

#include <algorithm>
#include <optional>
#include <set>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// How many paths an error lists before it says "and N more".
constexpr std::size_t k_listed_paths = 5;

// One path of an `mlv add`, checked before anything is written.
struct PlannedAdd {
  std::string typed;    // as the user gave it, for messages
  std::string relative; // the data path, repository-relative
  fs::path absolute;
  bool directory = false;
  std::optional<pointer::Pointer> existing; // the readable pointer already there
};

std::string listed(const std::vector<std::string>& paths) {
  std::string text;
  for (std::size_t i = 0; i < paths.size() && i < k_listed_paths; ++i) {
    text += "\n  " + paths[i];
  }
  if (paths.size() > k_listed_paths) {
    text += "\n  and " + std::to_string(paths.size() - k_listed_paths) + " more";
  }
  return text;
}

Error bad_name(const std::string& typed, const std::string& problem) {
  return Error(Failure::invalid_input, "cannot add '" + typed + "': the name " + problem,
               "rename it: a tracked name may not hold a backslash or a control character "
               "(docs/formats.md)");
}

// A path may not lie inside a folder mlv tracks as one, and a folder to track as one may not
// hold pointers (their files are tracked already) or names a dir listing cannot hold.
void check_no_overlap(Context& context, const PlannedAdd& plan) {
  for (auto folder = fs::path(plan.relative).parent_path(); !folder.empty();
       folder = folder.parent_path()) {
    const auto name = folder.generic_string();
    if (fs::exists(pointer::pointer_path_for(context.absolute(name)))) {
      throw Error(Failure::invalid_input,
                  "cannot add '" + plan.typed + "': it is inside '" + name +
                      "', which mlv already tracks as a folder (" + name + ".mlv)",
                  "`mlv add " + name +
                      "` records the folder's new content; to track its files "
                      "one by one instead, `mlv remove " +
                      name + "` first");
    }
  }
  if (!plan.directory) {
    return;
  }
  std::vector<std::string> pointers;
  std::error_code error;
  fs::recursive_directory_iterator it(plan.absolute, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error)) {
      continue;
    }
    const auto inner = it->path().lexically_relative(plan.absolute).generic_string();
    if (const auto problem = pointer::path_problem(inner)) {
      throw bad_name(plan.relative + "/" + inner, *problem);
    }
    if (pointer::is_pointer_path(it->path())) {
      pointers.push_back(plan.relative + "/" + inner);
    }
  }
  if (error) {
    throw Error(Failure::failed, "cannot list " + plan.absolute.string() + ": " + error.message());
  }
  if (!pointers.empty()) {
    std::sort(pointers.begin(), pointers.end());
    std::string remove_command = "mlv remove";
    for (const auto& pointer_path : pointers) {
      remove_command +=
          " " + pointer_path.substr(0, pointer_path.size() - pointer::k_suffix.size());
    }
    throw Error(Failure::invalid_input,
                "cannot add folder '" + plan.typed +
                    "' as one: mlv already tracks files inside it:" + listed(pointers),
                "add those files one by one instead (`mlv add " + plan.relative + "/*`), or " +
                    (pointers.size() <= k_listed_paths ? "`" + remove_command + "`"
                                                       : "`mlv remove` each of them") +
                    " first to track the folder as one");
  }
}

// Whether a pointer's text names a format version other than the one this mlv writes.
bool is_other_version(const std::string& text) {
  try {
    const auto root = YAML::Load(text);
    return root.IsMap() && root["version"] && root["version"].IsScalar() &&
           root["version"].Scalar() != std::to_string(pointer::k_format_version);
  } catch (const YAML::Exception&) {
    return false;
  }
}

// The pointer already at `pointer_file`, if any. A damaged one is replaced, as its error's hint
// says; one with merge conflict markers is refused, since each side may carry metadata, and so
// is one of another format version, which a newer mlv wrote.
std::optional<pointer::Pointer> existing_pointer(const fs::path& pointer_file) {
  if (!fs::exists(pointer_file)) {
    return std::nullopt;
  }
  const auto text = util::read_file(pointer_file);
  try {
    return pointer::parse_pointer(text, pointer_file.string());
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input || pointer::has_conflict_markers(text) ||
        is_other_version(text)) {
      throw;
    }
    return std::nullopt;
  }
}

PlannedAdd plan_one(Context& context, const std::string& typed) {
  PlannedAdd plan;
  plan.typed = typed;
  plan.relative = context.relative(typed);
  if (pointer::is_pointer_path(plan.relative)) {
    // `mlv add models/*` names pointers beside their data: a pointer stands for its data file.
    plan.relative.resize(plan.relative.size() - pointer::k_suffix.size());
  }
  plan.absolute = context.absolute(plan.relative);
  if (plan.relative.empty()) {
    throw Error(Failure::invalid_input, "cannot add the repository root itself",
                "add the model files or folders inside it");
  }
  const auto first = fs::path(plan.relative).begin()->string();
  if (first == ".git" || first == ".mlv") {
    throw Error(Failure::invalid_input,
                "'" + typed + "' is inside " + first + "/, which mlv manages");
  }
  if (const auto problem = pointer::path_problem(plan.absolute.filename().string())) {
    throw bad_name(typed, *problem);
  }
  std::error_code error;
  const auto status = fs::status(plan.absolute, error);
  if (!fs::exists(status)) {
    const bool via_pointer = plan.relative != context.relative(typed);
    throw Error(Failure::not_found,
                "cannot add '" + typed + "': no such file or folder" +
                    (via_pointer ? " (" + plan.relative + ", the data it stands for)" : ""),
                via_pointer && fs::exists(pointer::pointer_path_for(plan.absolute))
                    ? "`mlv checkout " + plan.relative + "` restores it from the cache"
                    : "");
  }
  if (!fs::is_regular_file(status) && !fs::is_directory(status)) {
    throw Error(Failure::invalid_input, "cannot add '" + typed + "': not a regular file or folder");
  }
  plan.directory = fs::is_directory(status);
  check_no_overlap(context, plan);
  plan.existing = existing_pointer(pointer::pointer_path_for(plan.absolute));
  return plan;
}

// Every path is checked before any is added, so one bad path leaves nothing half done. The same
// data path given twice (as `m.bin` and `m.bin.mlv`) is added once.
std::vector<PlannedAdd> plan_all(Context& context, const std::vector<std::string>& paths) {
  std::vector<PlannedAdd> plans;
  std::set<std::string> seen;
  for (const auto& path : paths) {
    auto plan = plan_one(context, path);
    if (seen.insert(plan.relative).second) {
      plans.push_back(std::move(plan));
    }
  }
  for (const auto& outer : plans) {
    if (!outer.directory) {
      continue; // thousands of files given one by one cost no quadratic pass
    }
    const auto inside = outer.relative + "/";
    for (const auto& inner : plans) {
      if (inner.relative.starts_with(inside)) {
        throw Error(Failure::invalid_input,
                    "cannot add both '" + outer.typed + "' and '" + inner.typed +
                        "', which is inside it",
                    "add the folder as one, or the files inside it one by one");
      }
    }
  }
  return plans;
}

// One path of an `mlv add` once its bytes are stored (in the command's StoreBatch) and analysed:
// the pointer to write and what the command reports.
struct PreparedAdd {
  AddResult result;
  pointer::Pointer pointer;
  fs::path pointer_file;
};

// What a pointer says of its content's format and safety, by which scanner rules, as one digest.
std::string description_digest(const pointer::Pointer& pointer) {
  YAML::Emitter text;
  text << YAML::BeginMap << YAML::Key << "rules" << YAML::Value << scan::k_rules_version
       << YAML::Key << "format" << YAML::Value << pointer.format << YAML::Key << "summary"
       << YAML::Value << pointer.summary << YAML::Key << "safety" << YAML::Value << pointer.safety
       << YAML::EndMap;
  return hash::sha256_hex(std::string_view(text.c_str(), text.size()));
}

PreparedAdd prepare_add(Context& context,
                        const PlannedAdd& plan,
                        const AddOptions& options,
                        const FileDone& done) {
  const auto& relative = plan.relative;
  const auto& absolute = plan.absolute;
  auto& cache = context.cache();
  PreparedAdd prepared;
  prepared.pointer_file = pointer::pointer_path_for(absolute);
  auto& pointer = prepared.pointer;
  pointer = plan.existing.value_or(pointer::Pointer{});
  const auto before = plan.existing ? pointer::serialize_pointer(pointer) : std::string();

  pointer.path = absolute.filename().string();
  // The same bytes as the pointer records, with the description this machine made of them by
  // this scanner's rules (the state database's digest of it): its format, summary and verdict
  // stand, and the content is not read again (a re-add of an unchanged folder of 10,000 files
  // would scan them all). An edited description, or one made by other rules, is made anew.
  const auto recorded_still_holds = [&](pointer::Kind kind, const std::string& id) {
    if (!plan.existing || plan.existing->kind != kind || plan.existing->sha256 != id) {
      return false;
    }
    const auto recorded = cache.state().find_description(id);
    return recorded && *recorded == description_digest(*plan.existing);
  };
  std::optional<ContentAnalysis> analysis;
  if (plan.directory) {
    const auto listing = identify_dir(cache, absolute, true, done);
    pointer.kind = pointer::Kind::dir;
    pointer.sha256 = cache.write_dir(listing);
    pointer.size = listing.total_size();
    pointer.files = listing.entries.size();
    if (!recorded_still_holds(pointer.kind, pointer.sha256)) {
      analysis = analyze_folder(absolute, listing, &cache.state());
    }
  } else {
    const auto stored = identify_file(cache, absolute, true);
    if (done) {
      done(stored.size);
    }
    pointer.kind = pointer::Kind::file;
    pointer.sha256 = stored.id;
    pointer.size = stored.size;
    pointer.files.reset();
    if (!recorded_still_holds(pointer.kind, pointer.sha256)) {
      analysis = analyze_file(absolute);
    }
  }
  if (analysis) {
    pointer.format = analysis->format;
    pointer.summary = summary_node(analysis->summary);
    pointer.safety = safety_record(analysis->reports);
    cache.state().record_description(pointer.sha256, description_digest(pointer));
  }
  pointer.meta = merged_meta(pointer.meta, options);
  if (pointer.meta.size() == 0) {
    pointer.meta = YAML::Node();
  }

  auto& result = prepared.result;
  result.data_path = relative;
  result.pointer_path = relative + std::string(pointer::k_suffix);
  result.kind = std::string(pointer::kind_name(pointer.kind));
  result.id = pointer.sha256;
  result.size = pointer.size;
  result.files = pointer.files.value_or(0);
  result.format = pointer.format;
  result.safety = pointer.safety["verdict"].as<std::string>();
  result.changed = pointer::serialize_pointer(pointer) != before;
  return prepared;
}

// Writes a prepared pointer (only when something changed) once the objects it names are durable.
AddResult finish_add(Context& context, PreparedAdd& prepared, std::vector<std::string>& to_stage) {
  auto& result = prepared.result;
  if (result.changed) {
    // Stamped only when something else changed, so an unchanged add rewrites nothing.
    prepared.pointer.meta = with_provenance(prepared.pointer.meta, context.git());
    pointer::write_pointer(prepared.pointer_file, prepared.pointer);
  }
  to_stage.push_back(result.pointer_path);
  if (const auto gitignore = context.git().ignore(result.data_path)) {
    to_stage.push_back(*gitignore);
  }
  return result;
}

// Git keeps a file's bytes while it tracks it, .gitignore or not: like `git rm --cached`, the
// data leaves the index (it stays on disk) and only the pointer is committed.
void untrack_from_git(Context& context,
                      std::vector<AddResult>& results,
                      const AddOptions& options) {
  std::vector<std::string> data_paths;
  for (const auto& result : results) {
    data_paths.push_back(result.data_path);
  }
  const auto indexed = context.git().indexed_under(data_paths);
  if (indexed.empty()) {
    return;
  }
  for (auto& result : results) {
    for (const auto& path : indexed) {
      if (path == result.data_path || path.starts_with(result.data_path + "/")) {
        result.git_tracked.push_back(path);
      }
    }
  }
  if (options.stage) {
    context.git().unstage(indexed);
  }
}

} // namespace

std::pair<std::string, std::string> parse_key_value(const std::string& text,
                                                    const std::string& option) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw Error(Failure::invalid_input, option + " '" + text + "': expected KEY=VALUE",
                "for example " + option + " accuracy=0.93");
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

std::vector<AddResult>
add(Context& context, const std::vector<std::string>& paths, const AddOptions& options) {
  const auto lock = context.lock_workspace();
  const auto plans = plan_all(context, paths);
  std::vector<AddResult> results;
  std::vector<std::string> to_stage;
  transfer::Meter meter(options.progress);
  FileDone done;
  if (options.progress) {
    std::vector<std::filesystem::path> planned;
    for (const auto& plan : plans) {
      planned.push_back(plan.absolute);
    }
    done = plan_file_progress(meter, planned);
  }
  const auto stage = [&] {
    // One index write for the whole command.
    if (options.stage && !to_stage.empty()) {
      std::sort(to_stage.begin(), to_stage.end());
      to_stage.erase(std::unique(to_stage.begin(), to_stage.end()), to_stage.end());
      context.git().stage(to_stage);
    }
  };
  // Every object of the command is made durable at once, before the first pointer names one.
  cache::Cache::StoreBatch batch(context.cache());
  std::vector<PreparedAdd> prepared;
  const auto write_prepared = [&] {
    batch.commit();
    for (auto& item : prepared) {
      results.push_back(finish_add(context, item, to_stage));
    }
  };
  try {
    for (const auto& plan : plans) {
      prepared.push_back(prepare_add(context, plan, options, done));
    }
  } catch (const Error&) {
    // What was added before a failure (a full disk, a read error) is kept and stays consistent.
    write_prepared();
    stage();
    throw;
  }
  write_prepared();
  untrack_from_git(context, results, options);
  stage();
  return results;
}

} // namespace mlv::workspace
