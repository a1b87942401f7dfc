#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/remote/local_store.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mlv::transfer::testing {

namespace fs = std::filesystem;

// Writes `size` pseudo-random bytes (incompressible, so chunk boundaries are realistic).
inline void write_random_file(const fs::path& path, std::uint64_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::ofstream out(path, std::ios::binary);
  std::vector<std::uint64_t> block(1 << 17);
  while (size > 0) {
    for (auto& word : block) {
      word = random();
    }
    const auto take = std::min<std::uint64_t>(size, block.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(take));
    size -= take;
  }
}

inline std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_all(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Two machines (each with its own cache and state database) and one local-folder remote.
// A pack of format version 1, as mlv wrote before chunks could be compressed: chunk bytes,
// 44-byte entries (id, offset, length), footer. Written here byte by byte from the format spec.
inline std::string version1_pack(const std::vector<std::string>& chunks) {
  const auto le = [](std::uint64_t value, int size) {
    std::string out;
    for (int i = 0; i < size; ++i) {
      out += static_cast<char>(value >> (8 * i));
    }
    return out;
  };
  std::string data;
  std::string index;
  for (const auto& chunk : chunks) {
    const auto digest = hash::sha256(std::as_bytes(std::span(chunk.data(), chunk.size())));
    index.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    index += le(data.size(), 8) + le(chunk.size(), 4);
    data += chunk;
  }
  const auto index_digest = hash::sha256(std::as_bytes(std::span(index.data(), index.size())));
  std::string footer =
      "MLVPACK1" + le(1, 4) + le(chunks.size(), 4) + le(data.size(), 8) + le(index.size(), 8);
  footer.append(reinterpret_cast<const char*>(index_digest.data()), index_digest.size());
  return data + index + footer;
}

class TransferTest : public ::testing::Test {
protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("mlv-transfer-" + std::to_string(std::random_device{}()));
    fs::create_directories(base_ / "work");
    remote_root_ = base_ / "remote";
    store_ = remote::make_local_store(remote_root_, {});
  }
  void TearDown() override {
    machines_.clear();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(base_, ignored);
  }

  cache::Cache& machine(const std::string& name) {
    auto& slot = machines_[name];
    if (!slot) {
      slot = std::make_unique<cache::Cache>(base_ / ("cache-" + name));
    }
    return *slot;
  }

  RemoteHandle remote() { return {*store_, remote_root_.string()}; }
  RemoteHandle remote(remote::ObjectStore& store) { return {store, remote_root_.string()}; }

  Options options() const {
    Options options;
    options.jobs = 3;
    options.pack_size = 1 << 20; // small packs so a few MB spread over several of them
    return options;
  }

  static Targets files(std::initializer_list<std::string> ids) {
    Targets targets;
    targets.file_ids.insert(ids.begin(), ids.end());
    return targets;
  }

  fs::path work(const std::string& name) const { return base_ / "work" / name; }

  std::size_t count_objects(const std::string& prefix) { return store_->list(prefix).size(); }

  fs::path base_;
  fs::path remote_root_;
  std::unique_ptr<remote::ObjectStore> store_;
  std::map<std::string, std::unique_ptr<cache::Cache>> machines_;
};

} // namespace mlv::transfer::testing
