#pragma once

// How the command line shows the options that code below cli/ names in hints and warnings with
// mlv::option_ref (util/error.hpp): "{--force}" is printed as "--force".

#include <string>
#include <string_view>

namespace mlv::cli {

// `text` with each "{-flag...}" reference replaced by the flag as typed on the command line.
// Braces that do not hold a flag (a JSON example, "stash@{0}") are left as they are.
std::string render_option_refs(std::string_view text);

} // namespace mlv::cli
