#include <mlv/inspect/detect.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/transfer/meter.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/add.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/metadata.hpp>
#include <mlv/workspace/safety.hpp>

#include <algorithm>
#include <tuple>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// The detected format and the short summary a pointer keeps (docs/inspect.md). A damaged or
// hostile header does not stop the file being tracked: it keeps its format, without a summary.
std::pair<std::string, YAML::Node> describe_content(const fs::path& path) {
  try {
    const auto inspection = inspect::inspect_path(path);
    return {inspection.format, inspect::short_summary(inspection)};
  } catch (const Error& error) {
    if (error.code() != ExitCode::bad_input) {
      throw;
    }
    return {inspect::detect_format(path), YAML::Node()};
  }
}

void check_addable(const std::string& relative,
                   const fs::path& absolute,
                   const std::string& typed) {
  if (relative.empty()) {
    throw Error(ExitCode::bad_input, "cannot add the repository root itself",
                "add the model files or folders inside it");
  }
  const auto first = fs::path(relative).begin()->string();
  if (first == ".git" || first == ".mlv") {
    throw Error(ExitCode::bad_input, "'" + typed + "' is inside " + first + "/, which mlv manages");
  }
  if (pointer::is_pointer_path(absolute)) {
    throw Error(ExitCode::bad_input, "'" + typed + "' is a pointer file",
                "add the data file it stands for instead");
  }
  std::error_code error;
  const auto status = fs::status(absolute, error);
  if (!fs::exists(status)) {
    throw Error(ExitCode::missing, "cannot add '" + typed + "': no such file or folder");
  }
  if (!fs::is_regular_file(status) && !fs::is_directory(status)) {
    throw Error(ExitCode::bad_input, "cannot add '" + typed + "': not a regular file or folder");
  }
}

AddResult add_one(Context& context,
                  const std::string& typed,
                  const AddOptions& options,
                  std::vector<std::string>& to_stage,
                  const FileDone& done) {
  const auto relative = context.relative(typed);
  const auto absolute = context.absolute(relative);
  check_addable(relative, absolute, typed);

  auto& cache = context.cache();
  const auto pointer_file = pointer::pointer_path_for(absolute);
  pointer::Pointer pointer;
  const bool had_pointer = fs::exists(pointer_file);
  if (had_pointer) {
    pointer = pointer::read_pointer(pointer_file);
  }
  const auto before = had_pointer ? pointer::serialize_pointer(pointer) : std::string();

  pointer.path = absolute.filename().string();
  if (fs::is_directory(absolute)) {
    const auto listing = identify_dir(cache, absolute, true, done);
    pointer.kind = pointer::Kind::dir;
    pointer.sha256 = cache.write_dir(listing);
    pointer.size = listing.total_size();
    pointer.files = listing.entries.size();
    pointer.safety = safety_record(absolute, listing);
  } else {
    const auto stored = identify_file(cache, absolute, true);
    if (done) {
      done(stored.size);
    }
    pointer.kind = pointer::Kind::file;
    pointer.sha256 = stored.id;
    pointer.size = stored.size;
    pointer.files.reset();
    pointer.safety = safety_record(absolute);
  }
  std::tie(pointer.format, pointer.summary) = describe_content(absolute);
  pointer.meta = merged_meta(pointer.meta, options);
  if (pointer.meta.size() == 0) {
    pointer.meta = YAML::Node();
  }

  AddResult result;
  result.data_path = relative;
  result.pointer_path = relative + std::string(pointer::k_suffix);
  result.kind = std::string(pointer::kind_name(pointer.kind));
  result.id = pointer.sha256;
  result.size = pointer.size;
  result.files = pointer.files.value_or(0);
  result.format = pointer.format;
  result.safety = pointer.safety["verdict"].as<std::string>();
  result.changed = pointer::serialize_pointer(pointer) != before;
  if (result.changed) {
    // Stamped only when something else changed, so an unchanged add rewrites nothing.
    pointer.meta = with_provenance(pointer.meta, context.git());
    pointer::write_pointer(pointer_file, pointer);
  }

  to_stage.push_back(result.pointer_path);
  if (const auto gitignore = context.git().ignore(relative)) {
    to_stage.push_back(*gitignore);
  }
  return result;
}

} // namespace

std::pair<std::string, std::string> parse_key_value(const std::string& text,
                                                    const std::string& option) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw Error(ExitCode::bad_input, option + " '" + text + "': expected KEY=VALUE",
                "for example " + option + " accuracy=0.93");
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

std::vector<AddResult>
add(Context& context, const std::vector<std::string>& paths, const AddOptions& options) {
  const auto lock = context.lock_workspace();
  std::vector<AddResult> results;
  std::vector<std::string> to_stage;
  transfer::Meter meter(options.progress);
  FileDone done;
  if (options.progress) {
    // Planned from folder entries only (no read), so the meter can show an ETA.
    meter.update([&](transfer::Stats& stats) {
      for (const auto& path : paths) {
        const auto count = count_files(context.absolute(context.relative(path)));
        stats.files_planned += count.files;
        stats.bytes_planned += count.bytes;
      }
    });
    done = [&meter](std::uint64_t size) {
      meter.update([size](transfer::Stats& stats) {
        ++stats.files_done;
        stats.bytes_done += size;
      });
    };
  }
  for (const auto& path : paths) {
    results.push_back(add_one(context, path, options, to_stage, done));
  }
  // One index write for the whole command.
  if (options.stage && !to_stage.empty()) {
    std::sort(to_stage.begin(), to_stage.end());
    to_stage.erase(std::unique(to_stage.begin(), to_stage.end()), to_stage.end());
    context.git().stage(to_stage);
  }
  return results;
}

} // namespace mlv::workspace
