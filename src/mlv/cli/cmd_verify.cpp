#include <mlv/cli/commands.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json.hpp>
#include <mlv/workspace/verify.hpp>

#include <filesystem>

namespace mlv::cli {

namespace {

std::string report_json(const workspace::VerifyReport& report) {
  util::JsonWriter json;
  json.begin_object()
      .key("cache_objects_checked")
      .value(report.cache_objects_checked)
      .key("workspace_files_checked")
      .value(report.workspace_files_checked)
      .key("bytes_hashed")
      .value(report.bytes_hashed)
      .key("problems")
      .begin_array();
  for (const auto& problem : report.problems) {
    json.begin_object()
        .key("kind")
        .value(problem.kind == workspace::VerifyProblem::Kind::mismatch ? "mismatch" : "missing")
        .key("subject")
        .value(problem.subject)
        .key("detail")
        .value(problem.detail)
        .end_object();
  }
  json.end_array().end_object();
  return json.str();
}

} // namespace

void register_verify(CLI::App& app, Output& output) {
  auto targets = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "verify", "Re-hash cache objects and workspace files; report every mismatch");
  command->add_option("targets", *targets, "Tracked paths or folders (default: all)");
  command->add_flag("--json", output.json, "Print the report as JSON");
  command->callback([targets, &output] {
    auto context = workspace::Context::open(std::filesystem::current_path());
    const auto tracked = workspace::workspace_pointers(context, *targets);
    const auto report =
        workspace::verify(context, tracked, output.progress("verify", Output::Meter::files));
    output.end_progress();
    bool mismatch = false;
    for (const auto& problem : report.problems) {
      mismatch = mismatch || problem.kind == workspace::VerifyProblem::Kind::mismatch;
      if (!output.json) {
        std::fprintf(stderr, "%s: %s\n", problem.subject.c_str(), problem.detail.c_str());
      }
    }
    output.say("verified " + std::to_string(report.cache_objects_checked) + " cache objects and " +
               std::to_string(report.workspace_files_checked) + " workspace files (" +
               human_bytes(report.bytes_hashed) + "): " + std::to_string(report.problems.size()) +
               " problem(s)");
    output.emit_json(report_json(report));
    // A pointer that could not be read says less than a damaged or missing object.
    if (report.problems.empty()) {
      context.finish();
    }
    if (mismatch) {
      throw Error(
          Failure::corrupt,
          std::to_string(report.problems.size()) + " object(s) failed verification",
          "delete the damaged cache objects and run `mlv fetch`; re-add changed workspace files");
    }
    if (!report.problems.empty()) {
      throw Error(Failure::not_found,
                  std::to_string(report.problems.size()) + " object(s) missing from the cache",
                  "run `mlv fetch` to download them");
    }
  });
}

} // namespace mlv::cli
