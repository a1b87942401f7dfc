#pragma once

#include <mlv/cache/dir_listing.hpp>
#include <mlv/cache/state_db.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/scan/scan.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace mlv::workspace {

// What `mlv add` learns of the content it tracks, as typed values: the detected format, the
// short summary a pointer keeps (docs/inspect.md), and the safety scan of each file. The pointer's
// YAML is made from it where the pointer is written (summary_node, safety_record).
struct ContentAnalysis {
  std::string format;
  // Empty when the format records nothing worth keeping, or when a damaged or hostile header
  // stopped inspection: the file is still tracked, with its format and without a summary.
  std::vector<inspect::Field> summary;
  // One report per scanned file: "" names a single file, a folder's are named by their paths
  // in its listing.
  std::vector<std::pair<std::string, scan::ScanReport>> reports;
};

// Analyses one regular file: it is opened once and read through one source by the scanner
// (every stream, to the end) and by inspection (headers, and pickles opcode by opcode). Throws
// Error when the file cannot be read.
ContentAnalysis analyze_file(const std::filesystem::path& file);

// Analyses a folder tracked as one: its format from its layout (a SavedModel, say), its summary,
// and a scan of each file its listing names (those stored). With `state`, a file whose id this
// machine found clean by the current scanner rules is not scanned again, and files found clean
// are remembered: changing one file of a folder of 10,000 scans one file.
ContentAnalysis analyze_folder(const std::filesystem::path& folder,
                               const cache::DirListing& listing,
                               cache::StateDb* state = nullptr);

} // namespace mlv::workspace
