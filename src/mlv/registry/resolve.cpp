#include <mlv/pointer/pointer.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/util/error.hpp>

namespace mlv::registry {

namespace {

// The tag's record must still describe the pointer its commit holds: a tag moved by hand or a
// rewritten history must not deploy other bytes than the ones registered.
void check_pointer_matches(const git::Repository& repo, const RegistryTag& version) {
  const auto& record = version.record;
  const auto text = repo.read_file(version.commit, record.pointer);
  if (!text) {
    throw Error(Failure::not_found,
                "tag " + version.tag + " names " + record.pointer + ", which commit " +
                    version.commit.substr(0, 12) + " does not hold",
                "`git show " + version.tag + "` shows the tag; re-register the model");
  }
  const auto parsed = pointer::parse_pointer(*text, record.pointer + " at " + version.tag);
  if (parsed.sha256 != record.sha256) {
    throw Error(Failure::corrupt,
                "tag " + version.tag + " records sha256 " + record.sha256 + " but " +
                    record.pointer + " at its commit says " + parsed.sha256,
                "the tag was moved or the history rewritten; check `git show " + version.tag +
                    "` and re-register the model");
  }
}

} // namespace

Resolved resolve(const git::Repository& repo, const Selector& selector) {
  if (selector.stage.has_value() == selector.version.has_value()) {
    throw Error(Failure::usage, "choose the model's version with exactly one of " +
                                    option_ref("--stage") + " or " + option_ref("--version"));
  }
  if (selector.stage) {
    check_stage_name(*selector.stage);
  }
  const auto model = load_model(repo, selector.model);
  Resolved resolved;
  Version wanted;
  if (selector.stage) {
    const auto* assignment = model.current_stage(*selector.stage);
    if (assignment == nullptr) {
      throw Error(
          Failure::not_found,
          "model '" + selector.model + "' has no version in stage '" + *selector.stage + "'",
          "promote one with `mlv model promote " + selector.model + " VERSION " + *selector.stage +
              "`; if it was promoted in another clone, `git fetch --tags`");
    }
    resolved.stage = *assignment;
    wanted = *parse_version(assignment->record.version);
  } else {
    wanted = parse_version_argument(*selector.version);
  }
  const auto* version = model.find_version(wanted);
  if (version == nullptr) {
    throw Error(Failure::not_found,
                "version " + wanted.text() + " of model '" + selector.model +
                    "' is not registered" +
                    (resolved.stage ? " (stage tag " + resolved.stage->tag + " names it)" : ""),
                "`mlv model show " + selector.model + "` lists its versions");
  }
  check_pointer_matches(repo, *version);
  resolved.version = *version;
  return resolved;
}

} // namespace mlv::registry
