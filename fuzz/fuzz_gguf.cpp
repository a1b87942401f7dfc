// Fuzz target: GGUF files (gguf_reader: header, metadata key/values, tensor infos), through `mlv
// inspect` and `mlv scan`'s entries.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.gguf");
  return 0;
}
