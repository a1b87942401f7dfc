#include <mlv/formats/byte_source.hpp>
#include <mlv/inspect/detect.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/analysis.hpp>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// Inspection's part of an analysis. A damaged or hostile header does not stop the file being
// tracked: it keeps the format its content shows, without a summary.
template <typename Inspect, typename Detect>
void describe(ContentAnalysis& analysis, Inspect inspect, Detect detect) {
  try {
    const auto inspection = inspect();
    analysis.format = inspection.format;
    analysis.summary = inspect::short_summary(inspection);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    analysis.format = detect();
    analysis.summary.clear();
  }
}

} // namespace

ContentAnalysis analyze_file(const fs::path& file) {
  const formats::FileSource source(file);
  const auto name = file.filename().string();
  ContentAnalysis analysis;
  analysis.reports.emplace_back(std::string(), scan::scan_source(source, file.string()));
  describe(
      analysis, [&] { return inspect::inspect_source(source, name); },
      [&] { return inspect::detect_format(source, name); });
  return analysis;
}

ContentAnalysis analyze_folder(const fs::path& folder, const cache::DirListing& listing) {
  ContentAnalysis analysis;
  for (const auto& entry : listing.entries) {
    analysis.reports.emplace_back(entry.path, scan::scan_file(folder / entry.path));
  }
  describe(
      analysis, [&] { return inspect::inspect_path(folder); },
      [&] { return inspect::detect_format(folder); });
  return analysis;
}

} // namespace mlv::workspace
