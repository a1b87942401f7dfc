#pragma once

// Test vectors for the decompressors, written by Python's own zlib, gzip, bz2 and lzma modules
// (make_compressed_vectors.py) into a temporary folder, once per test process.

#include "test_helpers.hpp"

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/decompress.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace mlv::formats::testing {

struct CompressedVector {
  std::string file;     // the compressed file's name in the folder
  std::string original; // the file of the bytes it decompresses to
  std::string kind;     // compression_name(), or "deflate" for raw DEFLATE
};

class CompressedVectors {
public:
  static const CompressedVectors& get() {
    static const CompressedVectors vectors;
    return vectors;
  }

  const std::filesystem::path& dir() const { return dir_; }
  const std::vector<CompressedVector>& all() const { return vectors_; }
  std::string bytes(const std::string& file) const { return read_bytes(dir_ / file); }

  ~CompressedVectors() {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
  }

private:
  CompressedVectors()
      : dir_(std::filesystem::temp_directory_path() /
             ("mlv-compressed-vectors-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const auto script =
        std::filesystem::path(__FILE__).parent_path() / "make_compressed_vectors.py";
    const auto fixture = std::filesystem::path(MLV_FIXTURES_DIR) / "rf_small.joblib";
    const std::string command =
        "python3 '" + script.string() + "' '" + dir_.string() + "' '" + fixture.string() + "'";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("cannot make the test vectors: " + command);
    }
    std::ifstream manifest(dir_ / "manifest.tsv");
    std::string line;
    while (std::getline(manifest, line)) {
      const auto first = line.find('\t');
      const auto second = line.find('\t', first + 1);
      vectors_.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1),
                          line.substr(second + 1)});
    }
  }

  std::filesystem::path dir_;
  std::vector<CompressedVector> vectors_;
};

// Decompresses `compressed` as `kind`, a compression_name(), "deflate" or "zip-lzma" (a zip
// member of method 14).
inline std::unique_ptr<ByteStream> open_kind(std::unique_ptr<ByteStream> compressed,
                                             const std::string& kind) {
  if (kind == "deflate") {
    return open_raw_deflate(std::move(compressed));
  }
  if (kind == "zip-lzma") {
    constexpr std::uint16_t k_zip_lzma = 14;
    return open_zip_member(std::move(compressed), k_zip_lzma);
  }
  for (const auto candidate :
       {Compression::zlib, Compression::gzip, Compression::bz2, Compression::xz, Compression::lzma,
        Compression::joblib_zfile, Compression::lz4, Compression::zstd}) {
    if (compression_name(candidate) == kind) {
      return open_decompressed(std::move(compressed), candidate);
    }
  }
  throw std::runtime_error("no compression named " + kind);
}

// Opens `bytes` (named `name`) as a compressed stream of `kind`.
inline std::unique_ptr<ByteStream> open_bytes(const std::string& bytes,
                                              const std::string& kind,
                                              const std::string& name = "test.bin") {
  struct OwningSourceStream : SourceStream {
    explicit OwningSourceStream(std::unique_ptr<MemorySource> source)
        : SourceStream(*source), owned(std::move(source)) {}
    std::unique_ptr<MemorySource> owned;
  };
  auto source = std::make_unique<MemorySource>(bytes, name);
  return open_kind(std::make_unique<OwningSourceStream>(std::move(source)), kind);
}

// Everything a stream yields, read `chunk` bytes at a time.
inline std::string read_all(ByteStream& stream, std::size_t chunk = 1 << 16) {
  std::string out;
  std::string buffer(chunk, '\0');
  while (const std::size_t got = stream.read(buffer.data(), buffer.size())) {
    out.append(buffer.data(), got);
  }
  return out;
}

} // namespace mlv::formats::testing
