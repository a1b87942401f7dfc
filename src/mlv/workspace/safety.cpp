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

// What could not be cleared, from the first finding of `severity`: "posix.system (process
// execution) at offset 51 of archive/data.pkl, and 2 more finding(s)", or "could not read: a zip
// member compressed with bzip2 ... (at offset 0)". `scanned` is the path the bytes were scanned at
// (a cache object), which readers' messages may start with and which means nothing to the user.
std::string first_finding(const scan::ScanReport& report,
                          scan::Severity severity,
                          const std::string& scanned = {}) {
  const auto first = std::find_if(
      report.findings.begin(), report.findings.end(),
      [severity](const scan::Finding& finding) { return finding.severity == severity; });
  if (first == report.findings.end()) {
    return severity == scan::Severity::unsafe ? "an unsafe pickle" : "a suspicious pickle";
  }
  std::string text;
  if (first->callable == scan::k_unscanned_callable) {
    std::string_view reason = first->reason;
    if (!scanned.empty() && reason.starts_with(scanned + ": ")) {
      reason.remove_prefix(scanned.size() + 2);
    }
    text = "could not read: " + std::string(reason) + " (at offset " +
           std::to_string(first->offset) + ")";
  } else {
    text = first->callable + " (" + first->reason + ") at offset " + std::to_string(first->offset);
  }
  if (!first->member.empty()) {
    text += " of " + first->member;
  }
  const auto more = report.findings.size() + report.findings_omitted - 1;
  if (more > 0) {
    text += ", and " + std::to_string(more) + " more finding(s)";
  }
  return text;
}

} // namespace

YAML::Node safety_record(const std::vector<std::pair<std::string, scan::ScanReport>>& reports) {
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

SafetyGate::SafetyGate(const config::Config& config, SafetyOptions options)
    : options_(std::move(options)) {
  // get() refuses a value other than block or warn (config/settings.hpp).
  const auto policy = config.get_or(k_policy_key, k_block);
  warn_policy_ = policy == k_warn;
}

bool SafetyGate::admit(const fs::path& bytes, const std::string& shown) {
  const auto report = scan::scan_file(bytes);
  if (report.verdict == scan::Verdict::clean) {
    return true;
  }
  const bool unsafe = report.verdict == scan::Verdict::unsafe;
  const auto severity = unsafe ? scan::Severity::unsafe : scan::Severity::suspicious;
  const bool allowed =
      unsafe ? options_.allow_unsafe : options_.allow_unsafe || options_.allow_suspicious;
  if (!allowed && !warn_policy_) {
    (unsafe ? refused_unsafe_ : refused_suspicious_)
        .push_back(shown + ": " + first_finding(report, severity, bytes.string()));
    return false;
  }
  if (options_.warn) {
    const std::string why = !allowed ? "safety.policy is warn"
                            : options_.allow_suspicious && !unsafe && !options_.allow_unsafe
                                ? option_ref("--allow-suspicious")
                                : option_ref("--allow-unsafe");
    options_.warn("warning: " + shown + " is " + std::string(scan::verdict_name(report.verdict)) +
                  ": " + first_finding(report, severity, bytes.string()) + "; written anyway (" +
                  why + ")");
  }
  return true;
}

void SafetyGate::finish() const {
  if (refused_unsafe_.empty() && refused_suspicious_.empty()) {
    return;
  }
  std::string list;
  for (const auto& line : refused_unsafe_) {
    list += "\n  " + line;
  }
  if (!refused_unsafe_.empty()) {
    if (!refused_suspicious_.empty()) {
      list += "\nand " + std::to_string(refused_suspicious_.size()) +
              " file(s) the safety scan could not clear:";
      for (const auto& line : refused_suspicious_) {
        list += "\n  " + line;
      }
    }
    throw Error(Failure::unsafe,
                "refusing to write " + std::to_string(refused_unsafe_.size()) +
                    " file(s) whose loading would run code:" + list,
                "do not load them; if you trust their source, re-run with " +
                    option_ref("--allow-unsafe") +
                    " (or set safety.policy to warn: `mlv config --local` or `--user`, or "
                    "MLV_SAFETY_POLICY=warn); `mlv scan PATH.mlv` lists every finding");
  }
  for (const auto& line : refused_suspicious_) {
    list += "\n  " + line;
  }
  throw Error(Failure::suspicious,
              "refusing to write " + std::to_string(refused_suspicious_.size()) +
                  " file(s) the safety scan could not clear (loading them may run code):" + list,
              "`mlv scan PATH.mlv` lists every finding (docs/safety.md explains them); if you "
              "trust their source, re-run with " +
                  option_ref("--allow-suspicious") +
                  " (or set safety.policy to warn: `mlv config --local` or `--user`, or "
                  "MLV_SAFETY_POLICY=warn)");
}

} // namespace mlv::workspace
