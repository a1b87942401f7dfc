#include <mlv/pointer/pointer.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <algorithm>

namespace mlv::registry {

namespace {

namespace fs = std::filesystem;

// The model's tags so far; none for a model being registered for the first time.
Model existing_model(const git::Repository& repo, const std::string& name) {
  try {
    return load_model(repo, name);
  } catch (const Error& error) {
    if (error.kind() != Failure::not_found) {
      throw;
    }
    return Model{name, {}, {}};
  }
}

// A path typed relative to the current folder, as a repository-relative pointer path.
std::string pointer_path_in(const git::Repository& repo, const std::string& typed) {
  const auto inside = util::relative_inside(typed, repo.work_dir());
  if (!inside) {
    throw Error(Failure::invalid_input,
                "'" + typed + "' is outside the repository " + repo.work_dir().string(),
                "give the path of a tracked model inside the repository");
  }
  return pointer::as_pointer_path(inside->generic_string());
}

std::string default_pointer_path(const Model& model) {
  if (const auto* latest = model.latest_version()) {
    return latest->record.pointer;
  }
  throw Error(Failure::invalid_input,
              "model '" + model.name + "' has no registered version yet, so " +
                  option_ref("--path") + " is needed",
              "give the tracked model's path, e.g. `mlv model register " + model.name +
                  " 1.0.0 --path models/" + model.name + ".onnx`");
}

// The record of the pointer at `pointer_path` in `commit`.
TagRecord record_of_pointer(const git::Repository& repo,
                            const std::string& commit,
                            const std::string& revision,
                            const std::string& pointer_path) {
  const auto text = repo.read_file(commit, pointer_path);
  if (!text) {
    throw Error(Failure::not_found,
                "there is no mlv pointer " + pointer_path + " at " + revision + " (commit " +
                    commit.substr(0, 12) + ")",
                "track the model with `mlv add` and commit its pointer, or give the right " +
                    option_ref("--path") + " and " + option_ref("--rev"));
  }
  const auto parsed = pointer::parse_pointer(*text, pointer_path + " at " + revision);
  TagRecord record;
  record.pointer = pointer_path;
  record.path = pointer::data_path_of(pointer_path, parsed).lexically_normal().generic_string();
  record.sha256 = parsed.sha256;
  record.size = parsed.size;
  record.format = parsed.format;
  return record;
}

RegistryTag created(const git::TagInfo& tag, TagRecord record) {
  return RegistryTag{tag.name,         tag.commit, tag.tagger,
                     tag.tagger_email, tag.time,   std::move(record)};
}

// The N of the next NAME#STAGE#N: one more than any tag of that form, mlv's or not.
std::uint64_t next_assignment_number(const git::Repository& repo,
                                     const std::string& model,
                                     const std::string& stage) {
  std::uint64_t highest = 0;
  (void)repo.tags([&](const std::string& tag) {
    const auto name = parse_tag_name(tag);
    if (name && name->kind == TagName::Kind::stage && name->model == model &&
        name->stage == stage) {
      highest = std::max(highest, name->number);
    }
    return false; // the names are enough: no tag object is read
  });
  return highest + 1;
}

} // namespace

RegistryTag register_version(git::Repository& repo, const RegisterRequest& request) {
  check_model_name(request.model);
  const auto version = parse_version_argument(request.version);
  const auto model = existing_model(repo, request.model);
  const auto tag = version_tag_name(request.model, version);
  if (const auto* same = model.find_version(version)) {
    throw Error(Failure::conflict,
                "version " + version.text() + " of model '" + request.model +
                    "' is already registered (tag " + same->tag + ")",
                "registered versions never change; register a new version number");
  }
  if (repo.find_tag(tag)) {
    throw Error(Failure::conflict, "tag '" + tag + "' already exists",
                "`git show " + tag + "` shows it; choose another version number");
  }
  const auto commit = repo.resolve_commit(request.revision);
  const auto pointer_path =
      request.path ? pointer_path_in(repo, *request.path) : default_pointer_path(model);
  auto record = record_of_pointer(repo, commit, request.revision, pointer_path);
  record.kind = TagName::Kind::version;
  record.model = request.model;
  record.version = version.text();
  record.message = request.message;
  const auto info = repo.create_tag(tag, commit, tag_message(record));
  return created(info, std::move(record));
}

PromoteResult promote(git::Repository& repo,
                      const std::string& model_name,
                      const std::string& version_text,
                      const std::string& stage,
                      const std::string& message) {
  check_model_name(model_name);
  check_stage_name(stage);
  const auto version = parse_version_argument(version_text);
  const auto model = existing_model(repo, model_name);
  const auto* registered = model.find_version(version);
  if (registered == nullptr) {
    throw Error(Failure::not_found,
                "version " + version.text() + " of model '" + model_name + "' is not registered",
                "register it first with `mlv model register " + model_name + " " + version.text() +
                    "`; `mlv model show " + model_name + "` lists its versions");
  }
  if (const auto* current = model.current_stage(stage);
      current != nullptr && current->record.version == registered->record.version) {
    return PromoteResult{*current, false};
  }
  auto record = registered->record;
  record.kind = TagName::Kind::stage;
  record.stage = stage;
  record.number = next_assignment_number(repo, model_name, stage);
  record.message = message;
  const auto tag = stage_tag_name(model_name, stage, record.number);
  const auto info = repo.create_tag(tag, registered->commit, tag_message(record));
  return PromoteResult{created(info, std::move(record)), true};
}

} // namespace mlv::registry
