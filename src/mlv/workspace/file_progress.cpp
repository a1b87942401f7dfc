#include <mlv/workspace/file_progress.hpp>

namespace mlv::workspace {

FileDone plan_file_progress(transfer::Meter& meter,
                            const std::vector<std::filesystem::path>& paths) {
  meter.update([&](transfer::Stats& stats) {
    for (const auto& path : paths) {
      const auto count = count_files(path);
      stats.files_planned += count.files;
      stats.bytes_planned += count.bytes;
    }
  });
  return [&meter](std::uint64_t size) {
    meter.update([size](transfer::Stats& stats) {
      ++stats.files_done;
      stats.bytes_done += size;
    });
  };
}

} // namespace mlv::workspace
