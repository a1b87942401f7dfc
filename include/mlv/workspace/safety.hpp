#pragma once

#include <mlv/config/config.hpp>
#include <mlv/scan/scan.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mlv::workspace {

// What a pointer's `safety` map records (docs/safety.md): the verdict on the data `mlv add` just
// stored, the rules version, and the first findings, from the scans of its analysis (one file,
// named "", or the files of a folder's listing, together).
YAML::Node safety_record(const std::vector<std::pair<std::string, scan::ScanReport>>& reports);

// How commands that write model files treat an unsafe or suspicious one.
struct SafetyOptions {
  bool allow_unsafe = false;     // --allow-unsafe (lets suspicious files through too)
  bool allow_suspicious = false; // --allow-suspicious
  std::function<void(const std::string&)> warn; // how a file let through is reported
};

// The safety check of checkout, pull and get: the bytes about to be materialised are scanned
// again, whatever their pointer's `safety` map says. Unsafe bytes are refused unless
// --allow-unsafe is given, suspicious ones (what the scan could not clear) unless
// --allow-suspicious or --allow-unsafe is; with `safety.policy` `warn` (from the local or user
// configuration, or the environment) both pass with a warning.
class SafetyGate {
public:
  // Error(bad_input) naming `safety.policy` when it is neither `block` nor `warn`.
  SafetyGate(const config::Config& config, SafetyOptions options);

  // Scans `bytes`, to be written as `shown`: true when they may be written (a clean file, or an
  // unsafe or suspicious one let through with a warning), false when refused.
  bool admit(const std::filesystem::path& bytes, const std::string& shown);
  // Error(unsafe) when an unsafe file was refused, else Error(suspicious) when a suspicious one
  // was, naming every refused file with its first finding of that severity and its offset.
  void finish() const;

private:
  bool warn_policy_ = false;
  SafetyOptions options_;
  // "models/x.pkl: posix.system (process execution) at ..."
  std::vector<std::string> refused_unsafe_;
  std::vector<std::string> refused_suspicious_;
};

// `mlv scan PATH...`: one report per file, named as the user knows it. Files are scanned as
// given; folders, every file below them (but not .git, .mlv or pointer files); pointer files,
// the data they name (the cache object when the cache has it, else the workspace file; each file
// of a folder pointer). Error(missing) names a path that does not exist or a pointer whose data
// is nowhere; nothing is scanned then.
std::vector<scan::ScanReport> scan_paths(const std::vector<std::string>& paths);

} // namespace mlv::workspace
