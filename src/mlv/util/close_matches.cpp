#include <mlv/util/close_matches.hpp>

#include <algorithm>
#include <utility>

namespace mlv::util {

namespace {

// Typos within this many edits always count as close; longer words allow a third of their length.
constexpr std::size_t k_close_edits = 2;
// A typed prefix this long ("stat" for "status") counts as close.
constexpr std::size_t k_min_prefix = 3;

} // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance over three rows of the dynamic-programming table.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::vector<std::string> close_matches(std::string_view typed,
                                       const std::vector<std::string>& candidates) {
  const auto limit = std::max(k_close_edits, typed.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& candidate : candidates) {
    const auto distance = edit_distance(typed, candidate);
    const bool prefix = typed.size() >= k_min_prefix && candidate.starts_with(typed);
    if (distance <= limit || prefix) {
      scored.emplace_back(prefix ? 0 : distance, candidate);
    }
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> matches;
  for (auto& [distance, candidate] : scored) {
    matches.push_back(std::move(candidate));
  }
  return matches;
}

} // namespace mlv::util
