#include <mlv/formats/byte_source.hpp>
#include <mlv/inspect/detect.hpp>
#include <mlv/scan/rules.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/task_pool.hpp>
#include <mlv/workspace/analysis.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

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

ContentAnalysis
analyze_folder(const fs::path& folder, const cache::DirListing& listing, cache::StateDb* state) {
  ContentAnalysis analysis;
  analysis.reports.resize(listing.entries.size());
  std::vector<std::string> ids;
  for (const auto& entry : listing.entries) {
    ids.push_back(entry.id);
  }
  const auto known_clean =
      state != nullptr ? state->clean_scans(ids, scan::k_rules_version) : std::set<std::string>();
  // Files are scanned on several threads, a run of them per task: a folder of 10,000 small
  // files is mostly opening and reading, which one thread would do one file at a time.
  const auto scan_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto& path = listing.entries[i].path;
      if (known_clean.contains(listing.entries[i].id)) {
        analysis.reports[i] = {path,
                               scan::ScanReport{path, {}, scan::Verdict::clean, {}, 0, {}, 0}};
      } else {
        analysis.reports[i] = {path, scan::scan_file(folder / path)};
      }
    }
  };
  constexpr std::size_t k_files_per_task = 64;
  const auto count = listing.entries.size();
  const unsigned workers = util::core_workers();
  if (workers == 1 || count <= k_files_per_task) {
    scan_range(0, count);
  } else {
    util::TaskPool pool(workers, 2 * workers);
    for (std::size_t begin = 0; begin < count; begin += k_files_per_task) {
      pool.submit([&, begin] { scan_range(begin, std::min(count, begin + k_files_per_task)); });
    }
    pool.wait();
  }
  if (state != nullptr) {
    std::vector<std::string> clean;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto& report = analysis.reports[i].second;
      if (!known_clean.contains(ids[i]) && report.verdict == scan::Verdict::clean &&
          report.findings.empty() && report.findings_omitted == 0) {
        clean.push_back(ids[i]);
      }
    }
    state->record_clean_scans(clean, scan::k_rules_version);
  }
  describe(
      analysis, [&] { return inspect::inspect_path(folder); },
      [&] { return inspect::detect_format(folder); });
  return analysis;
}

} // namespace mlv::workspace
