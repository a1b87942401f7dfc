#include <mlv/cli/table.hpp>

#include <algorithm>

namespace mlv::cli {

namespace {

constexpr const char* k_column_gap = "  ";

std::size_t display_width(const std::string& text) {
  // Continuation bytes (10xxxxxx) do not start a character.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

} // namespace

std::vector<std::string> Table::lines(const std::string& indent) const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::vector<std::string> out;
  for (const auto& row : rows_) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - display_width(row[i]), ' ') + k_column_gap;
      }
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out.push_back(std::move(line));
  }
  return out;
}

} // namespace mlv::cli
