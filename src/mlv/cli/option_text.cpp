#include <mlv/cli/option_text.hpp>

namespace mlv::cli {

std::string render_option_refs(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const auto open = text.find("{-", at);
    const auto close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      break;
    }
    out.append(text.substr(at, open - at));
    out.append(text.substr(open + 1, close - open - 1));
    at = close + 1;
  }
  out.append(text.substr(at));
  return out;
}

} // namespace mlv::cli
