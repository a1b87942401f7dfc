#include <mlv/util/error.hpp>
#include <mlv/workspace/safety.hpp>

#include <algorithm>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// A pointer keeps the first findings and counts the rest: `mlv scan` lists them all.
constexpr std::size_t k_recorded_findings = 20;
constexpr const char* k_policy_key = "safety.policy";
constexpr const char* k_block = "block";
constexpr const char* k_warn = "warn";

YAML::Node finding_node(const scan::Finding& finding, const std::string& file) {
  YAML::Node node(YAML::NodeType::Map);
  if (!file.empty()) {
    node["file"] = file;
  }
  node["severity"] = std::string(scan::severity_name(finding.severity));
  node["callable"] = finding.callable;
  node["offset"] = finding.offset;
  if (!finding.member.empty()) {
    node["member"] = finding.member;
  }
  node["container"] = finding.container;
  node["reason"] = finding.reason;
  return node;
}

// "posix.system (process execution) at offset 51 of archive/data.pkl, and 2 more findings"
std::string first_unsafe(const scan::ScanReport& report) {
  const auto unsafe = std::find_if(
      report.findings.begin(), report.findings.end(),
      [](const scan::Finding& finding) { return finding.severity == scan::Severity::unsafe; });
  if (unsafe == report.findings.end()) {
    return "an unsafe pickle";
  }
  std::string text =
      unsafe->callable + " (" + unsafe->reason + ") at offset " + std::to_string(unsafe->offset);
  if (!unsafe->member.empty()) {
    text += " of " + unsafe->member;
  }
  const auto more = report.findings.size() + report.findings_omitted - 1;
  if (more > 0) {
    text += ", and " + std::to_string(more) + " more finding(s)";
  }
  return text;
}

// The record of scans of one file ("" as its name) or of a folder's files.
YAML::Node record_of(const std::vector<std::pair<std::string, scan::ScanReport>>& reports) {
  scan::Verdict verdict = scan::Verdict::clean;
  YAML::Node findings(YAML::NodeType::Sequence);
  std::uint64_t count = 0;
  for (const auto& [file, report] : reports) {
    verdict = std::max(verdict, report.verdict);
    count += report.findings.size() + report.findings_omitted;
    for (const auto& finding : report.findings) {
      if (findings.size() < k_recorded_findings) {
        findings.push_back(finding_node(finding, file));
      }
    }
  }
  YAML::Node record(YAML::NodeType::Map);
  record["verdict"] = std::string(scan::verdict_name(verdict));
  record["scanner"] = scan::k_rules_version;
  if (count > 0) {
    record["finding_count"] = count;
    record["findings"] = findings;
  }
  return record;
}

} // namespace

YAML::Node safety_record(const fs::path& file) {
  return record_of({{std::string(), scan::scan_file(file)}});
}

YAML::Node safety_record(const fs::path& folder, const cache::DirListing& listing) {
  std::vector<std::pair<std::string, scan::ScanReport>> reports;
  for (const auto& entry : listing.entries) {
    reports.emplace_back(entry.path, scan::scan_file(folder / entry.path));
  }
  return record_of(reports);
}

SafetyGate::SafetyGate(const config::Config& config, SafetyOptions options)
    : options_(std::move(options)) {
  // get() refuses a value other than block or warn (config/settings.hpp).
  const auto policy = config.get_or(k_policy_key, k_block);
  let_through_ = options_.allow_unsafe || policy == k_warn;
}

bool SafetyGate::admit(const fs::path& bytes, const std::string& shown) {
  const auto report = scan::scan_file(bytes);
  if (report.verdict != scan::Verdict::unsafe) {
    return true;
  }
  if (!let_through_) {
    refused_.push_back(shown + ": " + first_unsafe(report));
    return false;
  }
  if (options_.warn) {
    options_.warn("warning: " + shown + " is unsafe: " + first_unsafe(report) +
                  "; written anyway (" +
                  (options_.allow_unsafe ? "--allow-unsafe" : "safety.policy is warn") + ")");
  }
  return true;
}

void SafetyGate::finish() const {
  if (refused_.empty()) {
    return;
  }
  std::string list;
  for (const auto& line : refused_) {
    list += "\n  " + line;
  }
  throw Error(
      ExitCode::unsafe,
      "refusing to write " + std::to_string(refused_.size()) +
          " file(s) whose loading would run code:" + list,
      "do not load them; if you trust their source, re-run with --allow-unsafe (or set "
      "safety.policy to warn: `mlv config --local` or `--user`, or MLV_SAFETY_POLICY=warn); "
      "`mlv scan PATH.mlv` lists every finding");
}

} // namespace mlv::workspace
