// Fuzz target: the pointer file reader (src/mlv/pointer: YAML `<name>.mlv` files), as every
// command that reads a pointer from the work tree or from git calls it; a parsed pointer is
// written back and read again, as `mlv add` rewrites one.
#include "fuzz_support.hpp"

#include <mlv/pointer/pointer.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = mlv::fuzz::bytes_of(data, size);
  (void)mlv::pointer::has_conflict_markers(text);
  mlv::fuzz::expect_mlv_errors_only([&] {
    const auto pointer = mlv::pointer::parse_pointer(text, "fuzz.mlv");
    (void)mlv::pointer::parse_pointer(mlv::pointer::serialize_pointer(pointer), "fuzz.mlv");
  });
  return 0;
}
