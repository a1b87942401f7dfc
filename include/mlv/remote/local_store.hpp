#pragma once

#include <mlv/remote/object_store.hpp>

#include <filesystem>
#include <memory>

namespace mlv::remote {

// A folder as a remote (a local disk, a mounted share): objects are files below `root`, written
// to `root/tmp/` and renamed into place.
std::unique_ptr<ObjectStore> make_local_store(const std::filesystem::path& root,
                                              const Options& options);

} // namespace mlv::remote
