// Fuzz target: ONNX files (protobuf_wire and onnx_reader), through `mlv inspect` and `mlv scan`'s
// entries.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.onnx");
  return 0;
}
