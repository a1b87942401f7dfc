#pragma once

// Private to the inspect module's decompressors: how much memory an LZMA dictionary may take.

#include "input_buffer.hpp"

#include <mlv/util/error.hpp>

#include <cstdint>
#include <string>

namespace mlv::inspect::decode {

// The largest dictionary mlv allocates (xz -9 uses 64 MiB; LZMA allows up to 4 GiB).
constexpr std::uint64_t k_max_lzma_dictionary = 3ull << 29; // 1.5 GiB
// LZMA dictionaries are never smaller than this (smaller sizes in a header are rounded up).
constexpr std::uint32_t k_min_lzma_dictionary = 4096;

// Error(bad_input) naming the stream when `size` is above k_max_lzma_dictionary.
inline void check_lzma_dictionary_size(const InputBuffer& input, std::uint64_t size) {
  if (size > k_max_lzma_dictionary) {
    throw Error(ExitCode::bad_input,
                input.name() + ": the compressed data asks for a " + std::to_string(size >> 20) +
                    " MiB LZMA dictionary; mlv decodes at most " +
                    std::to_string(k_max_lzma_dictionary >> 20) + " MiB",
                "recompress the file with a smaller dictionary (the xz/lzma presets use at most "
                "64 MiB)");
  }
}

} // namespace mlv::inspect::decode
