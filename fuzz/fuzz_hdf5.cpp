// Fuzz target: HDF5 files (hdf5_reader: superblock, object headers, groups, attributes) and Keras
// .h5, through `mlv inspect` and `mlv scan`'s entries.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.h5");
  return 0;
}
