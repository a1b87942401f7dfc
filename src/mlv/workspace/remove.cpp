#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/remove.hpp>
#include <mlv/workspace/tracked.hpp>

namespace mlv::workspace {

std::string remove(Context& context, const std::string& target) {
  const auto lock = context.lock_workspace();
  const auto relative = pointer::as_pointer_path(context.relative(target));
  const auto pointer_file = context.absolute(relative);
  if (!std::filesystem::exists(pointer_file)) {
    throw Error(Failure::invalid_input,
                "'" + target + "' is not tracked by mlv (no " + relative + ")",
                "`mlv status` lists what is tracked");
  }
  const auto pointer = pointer::read_pointer(pointer_file);
  const auto data_path = data_path_for(relative, pointer);
  util::remove_file(pointer_file);
  context.git().unstage({relative});
  if (const auto gitignore = context.git().unignore(data_path)) {
    context.git().stage({*gitignore});
  }
  return data_path;
}

} // namespace mlv::workspace
