#include <mlv/history/show.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/tracked.hpp>

namespace mlv::history {

namespace {

Shown from_workspace(workspace::Context& context, const std::string& target) {
  auto tracked = workspace::workspace_pointers(context, {target});
  context.finish();
  if (tracked.size() != 1) {
    throw Error(Failure::invalid_input,
                "'" + target + "' names " + std::to_string(tracked.size()) +
                    " tracked models; `mlv show` describes one",
                "give one model's path (`mlv status " + target + "` lists them)");
  }
  auto& one = tracked.front();
  return Shown{one.data_path, one.pointer_path, "workspace", std::nullopt, std::move(one.pointer)};
}

Shown from_revision(workspace::Context& context,
                    const std::string& target,
                    const std::string& revision) {
  const auto pointer_path = pointer::as_pointer_path(context.relative(target));
  const auto commit = context.git().resolve_commit(revision);
  const auto text = context.git().read_file(commit, pointer_path);
  if (!text) {
    throw Error(Failure::not_found, "'" + target + "' is not tracked by mlv at " + revision,
                "`git ls-tree -r --name-only " + revision +
                    "` lists the files of that revision; pointers end in .mlv");
  }
  auto parsed = pointer::parse_pointer(*text, pointer_path + " at " + revision);
  auto data_path = workspace::data_path_for(pointer_path, parsed);
  return Shown{std::move(data_path), pointer_path, revision, commit, std::move(parsed)};
}

} // namespace

Shown show(workspace::Context& context,
           const std::string& target,
           const std::optional<std::string>& revision) {
  return revision ? from_revision(context, target, *revision) : from_workspace(context, target);
}

} // namespace mlv::history
