#include <mlv/cli/commands.hpp>
#include <mlv/cli/option_text.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/safety.hpp>

namespace mlv::cli {

namespace {

std::string finding_line(const scan::Finding& finding) {
  std::string place = finding.container;
  if (!finding.member.empty()) {
    place += ", member " + finding.member;
  }
  std::string severity(scan::severity_name(finding.severity));
  severity.resize(std::max<std::size_t>(severity.size(), 10), ' ');
  return "  " + severity + " " + finding.callable + " at offset " + std::to_string(finding.offset) +
         " (" + place + "): " + finding.reason;
}

void print_report(const Output& output, const scan::ScanReport& report) {
  output.say(report.path + ": " + std::string(scan::verdict_name(report.verdict)) + " (" +
             report.format + ")");
  for (const auto& finding : report.findings) {
    output.say(finding_line(finding));
  }
  if (report.findings_omitted > 0) {
    output.say("  ... and " + std::to_string(report.findings_omitted) +
               " more finding(s) of the same callables");
  }
  for (const auto& note : report.notes) {
    output.say("  note: " + note);
  }
}

std::string reports_json(const std::vector<scan::ScanReport>& reports) {
  util::JsonWriter json;
  json.begin_array();
  for (const auto& report : reports) {
    json.begin_object().key("path").value(report.path).key("format").value(report.format);
    json.key("verdict").value(scan::verdict_name(report.verdict));
    json.key("scanner").value(scan::k_rules_version);
    json.key("findings").begin_array();
    for (const auto& finding : report.findings) {
      json.begin_object()
          .key("severity")
          .value(scan::severity_name(finding.severity))
          .key("callable")
          .value(finding.callable)
          .key("offset")
          .value(finding.offset)
          .key("member")
          .value(finding.member)
          .key("container")
          .value(finding.container)
          .key("reason")
          .value(finding.reason)
          .end_object();
    }
    json.end_array().key("findings_omitted").value(report.findings_omitted);
    json.key("notes").begin_array();
    for (const auto& note : report.notes) {
      json.value(note);
    }
    json.end_array().end_object();
  }
  json.end_array();
  return json.str();
}

} // namespace

void add_allow_unsafe_flag(CLI::App& command,
                           workspace::SafetyOptions& safety,
                           const Output& output) {
  command.add_flag("--allow-unsafe", safety.allow_unsafe,
                   "Write files the safety scan finds unsafe (or suspicious), with a warning");
  command.add_flag("--allow-suspicious", safety.allow_suspicious,
                   "Write files the safety scan could not clear (suspicious), with a warning");
  safety.warn = [&output](const std::string& line) { output.note(render_option_refs(line)); };
}

void register_scan(CLI::App& app, Output& output) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "scan", "Find code that loading a pickle-based model would run (never loads it)");
  command->add_option("paths", *paths, "Files, folders or pointer files")->required();
  command->add_flag("--json", output.json, "Print the reports as a JSON array");
  command->callback([paths, &output] {
    const auto reports = workspace::scan_paths(*paths);
    std::vector<std::string> unsafe;
    std::vector<std::string> suspicious;
    for (const auto& report : reports) {
      print_report(output, report);
      if (report.verdict == scan::Verdict::unsafe) {
        unsafe.push_back(report.path);
      } else if (report.verdict == scan::Verdict::suspicious) {
        suspicious.push_back(report.path);
      }
    }
    output.emit_json(reports_json(reports));
    const auto listed = [](const std::vector<std::string>& names) {
      std::string list;
      for (const auto& path : names) {
        list += "\n  " + path;
      }
      return list;
    };
    if (!unsafe.empty()) {
      throw Error(Failure::unsafe,
                  std::to_string(unsafe.size()) + " of " + std::to_string(reports.size()) +
                      " file(s) would run code when loaded:" + listed(unsafe),
                  "do not load them; docs/safety.md explains each finding");
    }
    if (!suspicious.empty()) {
      throw Error(
          Failure::suspicious,
          std::to_string(suspicious.size()) + " of " + std::to_string(reports.size()) +
              " file(s) could not be cleared (loading them may run code):" + listed(suspicious),
          "read the findings above (docs/safety.md explains each); checkout, pull and get "
          "refuse these files unless --allow-suspicious");
    }
  });
}

} // namespace mlv::cli
