// Fuzz target: zip archives (zip_reader's directory and local-header walks, scan's zip_scan) as
// PyTorch, numpy .npz and Keras write them, through `mlv inspect` and `mlv scan`'s entries, then
// the zip reader's own walks.
#include "fuzz_support.hpp"

#include <mlv/formats/zip_reader.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.pt");
  const mlv::formats::MemorySource source(mlv::fuzz::bytes_of(data, size), "model.pt");
  std::vector<mlv::formats::ZipEntry> directory;
  mlv::fuzz::expect_mlv_errors_only([&] { directory = mlv::formats::read_zip_directory(source); });
  (void)mlv::formats::read_zip_local_headers(source);
  for (const auto& entry : mlv::formats::walk_zip_local_headers(source, directory)) {
    mlv::fuzz::expect_mlv_errors_only(
        [&] { (void)mlv::formats::zip_member_data_offset(source, entry); });
  }
  return 0;
}
