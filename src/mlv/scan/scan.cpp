#include "scanner.hpp"

#include <mlv/scan/scan.hpp>

namespace mlv::scan {

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
  case Verdict::clean:
    return "clean";
  case Verdict::suspicious:
    return "suspicious";
  case Verdict::unsafe:
    return "unsafe";
  }
  return "unsafe";
}

std::string_view severity_name(Severity severity) {
  return severity == Severity::unsafe ? "unsafe" : "suspicious";
}

ScanReport scan_source(const formats::ByteSource& source, const std::string& name) {
  ScanReport report;
  report.path = name;
  detail::Scanner scanner(report);
  detail::scan_content(source, scanner);
  for (const auto& finding : report.findings) {
    const Verdict verdict =
        finding.severity == Severity::unsafe ? Verdict::unsafe : Verdict::suspicious;
    if (verdict > report.verdict) {
      report.verdict = verdict;
    }
  }
  return report;
}

ScanReport scan_file(const std::filesystem::path& path) {
  const formats::FileSource source(path);
  return scan_source(source, path.string());
}

} // namespace mlv::scan
