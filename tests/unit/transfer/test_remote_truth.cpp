#include "transfer_fixture.hpp"

#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/transfer/transfer.hpp>

#include <gtest/gtest.h>

namespace mlv::transfer {
namespace {

namespace fs = std::filesystem;
using testing::read_all;
using testing::TransferTest;
using testing::write_random_file;

constexpr std::uint64_t k_file_size = 3 * 1024 * 1024 + 777;

// Push never trusts its memory of a remote for what it skips, and never packs bytes that do not
// match their id.
class RemoteTruthTest : public TransferTest {
protected:
  std::string add_random(const std::string& name, std::uint64_t seed) {
    write_random_file(work("v" + std::to_string(seed)), k_file_size, seed);
    return machine(name).store_file(work("v" + std::to_string(seed))).id;
  }

  // Changes one byte of a file that may be read-only.
  static void flip_byte(const fs::path& path, std::uint64_t offset) {
    fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(offset));
    const char byte = static_cast<char>(file.get());
    file.seekp(static_cast<std::streamoff>(offset));
    file.put(static_cast<char>(~byte));
  }

  // The first pack the remote's manifest of `id` points into.
  fs::path first_pack_of(const std::string& id) {
    std::string text;
    store_->get("manifests/" + id.substr(0, 2) + "/" + id, [&](std::span<const std::byte> b) {
      text.append(reinterpret_cast<const char*>(b.data()), b.size());
    });
    const auto manifest = parse_remote_manifest(text, "test");
    const auto& pack = manifest.chunks.front().pack;
    return remote_root_ / "packs" / pack.substr(0, 2) / pack;
  }

  void expect_fetch_round_trips(const std::string& id, const std::string& seed) {
    auto& ci = machine("ci-" + seed);
    fetch(ci, remote(), files({id}), options());
    EXPECT_EQ(read_all(ci.file_path(id)), read_all(work("v" + seed)));
  }
};

TEST_F(RemoteTruthTest, APushAfterTheRemoteWasDeletedUploadsEverythingAgain) {
  const auto id = add_random("laptop", 1);
  push(machine("laptop"), remote(), files({id}), options());
  fs::remove_all(remote_root_);
  EXPECT_FALSE(present_on_remote(machine("laptop"), remote(), {id}, {}, 2).contains(id));
  const auto again = push(machine("laptop"), remote(), files({id}), options());
  EXPECT_EQ(again.files_transferred, 1u);
  EXPECT_EQ(again.files_skipped, 0u);
  expect_fetch_round_trips(id, "1");
}

TEST_F(RemoteTruthTest, ARemoteMadeAgainWithANewIdDropsWhatWasRemembered) {
  const auto id = add_random("laptop", 2);
  push(machine("laptop"), remote(), files({id}), options());
  auto& state = machine("laptop").state();
  const auto first_id = state.remote_id(remote().state_key);
  ASSERT_TRUE(first_id.has_value());
  EXPECT_EQ(first_id->size(), 32u);
  // Another machine deletes the remote and pushes something else: a new layout file, a new id.
  fs::remove_all(remote_root_);
  const auto other = add_random("desktop", 3);
  push(machine("desktop"), remote(), files({other}), options());
  open_remote_record(machine("laptop"), remote(), false);
  EXPECT_FALSE(state.remote_has_manifest(remote().state_key, id));
  EXPECT_NE(state.remote_id(remote().state_key), first_id);
}

TEST_F(RemoteTruthTest, APushAfterOnePackWasLostUploadsThatFileAgain) {
  const auto lost = add_random("laptop", 4);
  const auto kept = add_random("laptop", 5);
  push(machine("laptop"), remote(), files({lost}), options());
  push(machine("laptop"), remote(), files({kept}), options());
  fs::remove(first_pack_of(lost));
  const auto present = present_on_remote(machine("laptop"), remote(), {lost, kept}, {}, 2);
  EXPECT_EQ(present, std::set<std::string>{kept});
  const auto again = push(machine("laptop"), remote(), files({lost, kept}), options());
  EXPECT_EQ(again.files_transferred, 1u);
  EXPECT_EQ(again.files_skipped, 1u);
  expect_fetch_round_trips(lost, "4");
}

TEST_F(RemoteTruthTest, VerifyRemoteFindsAndReplacesADamagedPack) {
  const auto id = add_random("laptop", 6);
  push(machine("laptop"), remote(), files({id}), options());
  flip_byte(first_pack_of(id), 100);
  // Existence checks cannot see it; reading the packs can.
  EXPECT_TRUE(present_on_remote(machine("laptop"), remote(), {id}, {}, 2).contains(id));
  EXPECT_FALSE(present_on_remote(machine("laptop"), remote(), {id}, {}, 2, true).contains(id));
  auto verifying = options();
  verifying.verify_remote = true;
  const auto again = push(machine("laptop"), remote(), files({id}), verifying);
  EXPECT_EQ(again.files_transferred, 1u);
  EXPECT_TRUE(present_on_remote(machine("laptop"), remote(), {id}, {}, 2, true).contains(id));
  expect_fetch_round_trips(id, "6");
}

TEST_F(RemoteTruthTest, ACorruptedCacheObjectIsNeverPackedAndIsRemovedFromTheCache) {
  auto& laptop = machine("laptop");
  const auto id = add_random("laptop", 7);
  flip_byte(laptop.file_path(id), 2 * 1024 * 1024);
  auto targets = files({id});
  targets.labels.emplace(id, "models/m.bin.mlv");
  try {
    push(laptop, remote(), targets, options());
    FAIL() << "a corrupted cache object must not be pushed";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::corrupt);
    const std::string message = error.what();
    EXPECT_NE(message.find("models/m.bin.mlv"), std::string::npos) << message;
    EXPECT_NE(message.find(id), std::string::npos) << message;
  }
  EXPECT_EQ(count_objects("packs/"), 0u);
  EXPECT_EQ(count_objects("manifests/"), 0u);
  EXPECT_FALSE(laptop.has_file(id));
  EXPECT_FALSE(laptop.read_manifest(id).has_value());
  // Repaired (added again), the right bytes go up.
  laptop.store_file(work("v7"));
  push(laptop, remote(), targets, options());
  expect_fetch_round_trips(id, "7");
}

TEST_F(RemoteTruthTest, ACorruptedCacheObjectWithACachedManifestIsAnIntegrityError) {
  auto& laptop = machine("laptop");
  const auto id = add_random("laptop", 8);
  laptop.ensure_manifest(id, options().params);
  flip_byte(laptop.file_path(id), 2 * 1024 * 1024);
  try {
    push(laptop, remote(), files({id}), options());
    FAIL() << "a corrupted cache object must not be pushed";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::corrupt) << error.what();
  }
  EXPECT_EQ(count_objects("manifests/"), 0u);
  laptop.store_file(work("v8"));
  push(laptop, remote(), files({id}), options());
  expect_fetch_round_trips(id, "8");
}

TEST_F(RemoteTruthTest, AFolderRemoteThatDoesNotExistIsARemoteErrorNamingIt) {
  const auto id = add_random("laptop", 9);
  ASSERT_FALSE(fs::exists(remote_root_));
  for (const bool status : {false, true}) {
    try {
      if (status) {
        open_remote_record(machine("ci"), remote(), false);
      } else {
        fetch(machine("ci"), remote(), files({id}), options());
      }
      FAIL() << "a remote folder that does not exist";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Failure::remote);
      EXPECT_NE(std::string(error.what()).find(remote_root_.string()), std::string::npos);
      EXPECT_FALSE(error.hint().empty());
    }
  }
  // Push makes it.
  push(machine("laptop"), remote(), files({id}), options());
  expect_fetch_round_trips(id, "9");
}

} // namespace
} // namespace mlv::transfer
