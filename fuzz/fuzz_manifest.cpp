// Fuzz target: the manifest reader (cache/manifest.cpp) that reads manifests from the cache and
// from remotes; a parsed manifest must serialize back to text that parses to the same manifest.
#include "fuzz_support.hpp"

#include <mlv/cache/manifest.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlv::fuzz::expect_mlv_errors_only([&] {
    const auto manifest = mlv::cache::parse_manifest(mlv::fuzz::bytes_of(data, size), "fuzz");
    const auto again =
        mlv::cache::parse_manifest(mlv::cache::serialize_manifest(manifest), "fuzz again");
    if (!(again == manifest)) {
      std::abort(); // the round trip docs/formats.md promises is broken
    }
  });
  return 0;
}
