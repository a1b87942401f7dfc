#pragma once

#include <mlv/transfer/meter.hpp>
#include <mlv/workspace/file_ids.hpp>

#include <filesystem>
#include <vector>

namespace mlv::workspace {

// Plans the files and bytes that `paths` hold on `meter`, from folder entries alone (no read),
// so it can show an ETA, and returns the FileDone that counts each file as it is identified:
// the progress of `mlv add` and `mlv status`.
FileDone plan_file_progress(transfer::Meter& meter,
                            const std::vector<std::filesystem::path>& paths);

} // namespace mlv::workspace
