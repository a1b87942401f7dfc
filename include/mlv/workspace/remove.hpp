#pragma once

#include <mlv/workspace/context.hpp>

#include <string>

namespace mlv::workspace {

// `mlv remove`: stops tracking TARGET (a data path or its pointer): the pointer is deleted and
// unstaged, the .gitignore entry removed; the data file and cache objects are kept. Returns the
// repository-relative data path.
std::string remove(Context& context, const std::string& target);

} // namespace mlv::workspace
