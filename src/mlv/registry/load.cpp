#include <mlv/registry/registry.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

namespace mlv::registry {

namespace {

// Registry tags of the models `wanted` accepts, grouped by model name.
std::map<std::string, Model>
read_models(const git::Repository& repo,
            const std::function<bool(const std::string& model)>& wanted) {
  const auto tags = repo.tags([&](const std::string& tag) {
    const auto name = parse_tag_name(tag);
    return name && wanted(name->model);
  });
  std::map<std::string, Model> models;
  for (const auto& tag : tags) {
    if (!tag.annotated) {
      continue;
    }
    auto record = parse_tag_message(tag.name, tag.message);
    if (!record) {
      continue;
    }
    auto& model = models[record->model];
    model.name = record->model;
    RegistryTag entry{tag.name,         tag.commit, tag.tagger,
                      tag.tagger_email, tag.time,   std::move(*record)};
    (entry.record.kind == TagName::Kind::version ? model.versions : model.assignments)
        .push_back(std::move(entry));
  }
  for (auto& [name, model] : models) {
    std::sort(model.versions.begin(), model.versions.end(),
              [](const RegistryTag& a, const RegistryTag& b) {
                return compare_precedence(*parse_version(a.record.version),
                                          *parse_version(b.record.version)) < 0;
              });
    std::sort(model.assignments.begin(), model.assignments.end(),
              [](const RegistryTag& a, const RegistryTag& b) {
                return std::tie(a.time, a.record.stage, a.record.number) <
                       std::tie(b.time, b.record.stage, b.record.number);
              });
  }
  return models;
}

} // namespace

const RegistryTag* Model::find_version(const Version& version) const {
  for (const auto& entry : versions) {
    if (compare_precedence(*parse_version(entry.record.version), version) == 0) {
      return &entry;
    }
  }
  return nullptr;
}

const RegistryTag* Model::latest_version() const {
  return versions.empty() ? nullptr : &versions.back();
}

const RegistryTag* Model::current_stage(const std::string& stage) const {
  const RegistryTag* current = nullptr;
  for (const auto& entry : assignments) {
    if (entry.record.stage == stage && (!current || entry.record.number > current->record.number)) {
      current = &entry;
    }
  }
  return current;
}

std::vector<const RegistryTag*> Model::current_stages() const {
  std::map<std::string, const RegistryTag*> by_stage;
  for (const auto& entry : assignments) {
    auto& current = by_stage[entry.record.stage];
    if (!current || entry.record.number > current->record.number) {
      current = &entry;
    }
  }
  std::vector<const RegistryTag*> stages;
  for (const auto& [stage, entry] : by_stage) {
    stages.push_back(entry);
  }
  return stages;
}

std::vector<Model> load_models(const git::Repository& repo) {
  auto models = read_models(repo, [](const std::string&) { return true; });
  std::vector<Model> sorted;
  for (auto& [name, model] : models) {
    sorted.push_back(std::move(model));
  }
  return sorted;
}

Model load_model(const git::Repository& repo, const std::string& name) {
  check_model_name(name);
  auto models = read_models(repo, [&](const std::string& model) { return model == name; });
  const auto found = models.find(name);
  if (found == models.end()) {
    throw Error(Failure::not_found,
                "no model named '" + name + "' is registered in " + repo.work_dir().string(),
                "`mlv model list` shows the registered models; in a clone, `git fetch --tags` "
                "brings the registry's tags");
  }
  return std::move(found->second);
}

} // namespace mlv::registry
