#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::util {

// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidates close enough to `typed` to be what was meant ("chekout" -> "checkout"), closest
// first: within two edits, or a third of the typed length for long words, or starting with it.
std::vector<std::string> close_matches(std::string_view typed,
                                       const std::vector<std::string>& candidates);

} // namespace mlv::util
