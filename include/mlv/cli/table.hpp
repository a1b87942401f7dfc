#pragma once

#include <string>
#include <vector>

namespace mlv::cli {

// Rows of cells printed as aligned columns two spaces apart; the last column is not padded.
// Widths count UTF-8 characters, not bytes.
class Table {
public:
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::vector<std::string> lines(const std::string& indent = {}) const;

private:
  std::vector<std::vector<std::string>> rows_;
};

} // namespace mlv::cli
