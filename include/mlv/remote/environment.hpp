#pragma once

#include <functional>
#include <optional>
#include <string>

namespace mlv::remote {

// Reads an environment variable; a backend takes one so that tests can give it a fixed set.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The process's environment; a variable set to the empty string counts as unset.
Environment process_environment();

} // namespace mlv::remote
