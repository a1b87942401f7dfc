// Fuzz target: npy and npz files (numpy_reader; scan's npy_header for object arrays), through `mlv
// inspect` and `mlv scan`'s entries.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.npy");
  return 0;
}
