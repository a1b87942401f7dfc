// Fuzz target: safetensors files (safetensors_reader: length-prefixed JSON header), through `mlv
// inspect` and `mlv scan`'s entries.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.safetensors");
  return 0;
}
