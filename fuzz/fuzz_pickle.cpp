// Fuzz target: pickle files (pickle machine: inspect's pickle walk and scan's pickle_scan), joblib
// files included, through `mlv inspect` and `mlv scan`'s entries.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::inspect_and_scan(data, size, "model.pkl");
  return 0;
}
