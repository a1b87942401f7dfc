#include "scanner.hpp"

namespace mlv::scan::detail {

namespace {

// Findings kept per callable and stream; further ones are counted in findings_omitted (a
// hostile file may name os.system a million times).
constexpr std::size_t k_max_repeats = 16;
constexpr std::size_t k_max_notes = 64;

} // namespace

Scanner::Layer::Layer(Scanner& scanner, std::string name, std::string member) : scanner_(scanner) {
  scanner_.layers_.emplace_back(std::move(name), std::move(member));
}

Scanner::Layer::~Layer() {
  scanner_.layers_.pop_back();
}

std::string Scanner::where() const {
  std::string path;
  for (const auto& [name, member] : layers_) {
    path += (path.empty() ? "" : " > ") + name;
  }
  return path;
}

void Scanner::add(Severity severity,
                  std::string callable,
                  std::uint64_t offset,
                  std::string reason,
                  bool even_if_unsafe_only) {
  if (unsafe_only_ && severity != Severity::unsafe && !even_if_unsafe_only) {
    return;
  }
  Finding finding;
  finding.container = where();
  if (++repeats_[{finding.container, callable}] > k_max_repeats) {
    ++report_.findings_omitted;
    return;
  }
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (!it->second.empty()) {
      finding.member = it->second;
      break;
    }
  }
  finding.severity = severity;
  finding.callable = std::move(callable);
  finding.offset = offset;
  finding.reason = std::move(reason);
  report_.findings.push_back(std::move(finding));
}

void Scanner::unscanned(std::uint64_t offset, std::string reason) {
  add(Severity::suspicious, std::string(k_unscanned_callable), offset, std::move(reason));
}

void Scanner::note(const std::string& text) {
  if (!unsafe_only_ && report_.notes.size() < k_max_notes) {
    const auto place = where();
    report_.notes.push_back(place.empty() ? text : place + ": " + text);
  }
}

} // namespace mlv::scan::detail
