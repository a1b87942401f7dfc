#pragma once

#include <mlv/pointer/pointer.hpp>
#include <mlv/workspace/context.hpp>

#include <optional>
#include <string>

namespace mlv::history {

// One pointer as `mlv show` reports it.
struct Shown {
  std::string data_path;    // repository-relative
  std::string pointer_path; // repository-relative
  std::string source;       // "workspace", or the revision it was read at
  std::optional<std::string> commit;
  pointer::Pointer pointer;
};

// The pointer TARGET names (a data or pointer path relative to the current folder): from the
// work tree, or with `revision` from that commit without a checkout. Error(bad_input) when the
// target names no pointer or several, Error(missing) when the revision has none at that path.
Shown show(workspace::Context& context,
           const std::string& target,
           const std::optional<std::string>& revision);

} // namespace mlv::history
