#pragma once

#include <mlv/git/repository.hpp>
#include <mlv/registry/tag_record.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlv::registry {

// A registry tag read from git: its record and where it points.
struct RegistryTag {
  std::string tag;
  std::string commit;
  std::string tagger;
  std::string tagger_email;
  std::int64_t time = 0; // seconds since the epoch
  TagRecord record;
};

// Everything the tags say about one model.
struct Model {
  std::string name;
  std::vector<RegistryTag> versions;    // by semver precedence, lowest first
  std::vector<RegistryTag> assignments; // stage assignments, oldest first

  const RegistryTag* find_version(const Version& version) const; // equal precedence
  const RegistryTag* latest_version() const;                     // highest precedence
  // Each stage's current assignment (its highest N), sorted by stage name.
  std::vector<const RegistryTag*> current_stages() const;
  const RegistryTag* current_stage(const std::string& stage) const;
};

// Every model registered in the repository, sorted by name. Tags that merely look like
// registry tags (another tool's "pkg@1.0.0") are not models and are left out.
std::vector<Model> load_models(const git::Repository& repo);
// One model; Error(missing) when no tag registers it, with a hint to fetch tags.
Model load_model(const git::Repository& repo, const std::string& name);

struct RegisterRequest {
  std::string model;
  std::string version;             // as typed; "v1.2.0" is read as 1.2.0
  std::optional<std::string> path; // data or pointer path, relative to the current folder
  std::string revision = "HEAD";
  std::string message;
};

// `mlv model register`: tags the commit at `revision` as model@version, recording the pointer
// that commit holds at `path` (default: the path of the model's highest version). Error(conflict)
// for a version already registered, Error(bad_input) for a bad name or version, a first
// registration without a path, or an unknown revision, Error(missing) when the commit has no
// pointer there.
RegistryTag register_version(git::Repository& repo, const RegisterRequest& request);

struct PromoteResult {
  RegistryTag assignment; // the new assignment, or the current one when unchanged
  bool changed = false;   // false when the stage already had this version
};

// `mlv model promote`: assigns a registered version to a stage with the next NAME#STAGE#N tag.
// Error(missing) for an unregistered version.
PromoteResult promote(git::Repository& repo,
                      const std::string& model,
                      const std::string& version,
                      const std::string& stage,
                      const std::string& message);

// Which version of a model to take: a stage's current version, or a version.
struct Selector {
  std::string model;
  std::optional<std::string> stage;
  std::optional<std::string> version;
};

struct Resolved {
  RegistryTag version;
  std::optional<RegistryTag> stage; // the assignment, when selected by stage
};

// The version a selector names, checked against the pointer its commit holds (Error(integrity)
// when the pointer's id differs from the tag's record).
Resolved resolve(const git::Repository& repo, const Selector& selector);

} // namespace mlv::registry
