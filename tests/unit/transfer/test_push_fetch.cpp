#include "fault_store.hpp"
#include "transfer_fixture.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/transfer/transfer.hpp>

#include <gtest/gtest.h>

namespace mlv::transfer {
namespace {

namespace fs = std::filesystem;
using testing::FaultStore;
using testing::read_all;
using testing::TransferTest;
using testing::write_all;
using testing::write_random_file;

constexpr std::uint64_t k_file_size = 6 * 1024 * 1024 + 12345;

class PushFetchTest : public TransferTest {
protected:
  // A random file added to machine `name`'s cache; returns its id.
  std::string add_random(const std::string& name, std::uint64_t seed) {
    write_random_file(work("v" + std::to_string(seed)), k_file_size, seed);
    return machine(name).store_file(work("v" + std::to_string(seed))).id;
  }

  // The same bytes as `original` with a few bytes changed in the middle.
  std::string add_edited(const std::string& name, const fs::path& original) {
    auto bytes = read_all(original);
    for (std::size_t i = 0; i < 64; ++i) {
      bytes[bytes.size() / 2 + i] = static_cast<char>(~bytes[bytes.size() / 2 + i]);
    }
    write_all(work("edited"), bytes);
    return machine(name).store_file(work("edited")).id;
  }
};

TEST_F(PushFetchTest, PushThenFetchIntoAnEmptyCacheRoundTripsTheBytes) {
  const auto id = add_random("laptop", 1);
  const auto pushed = push(machine("laptop"), remote(), files({id}), options());
  EXPECT_EQ(pushed.files_transferred, 1u);
  EXPECT_GE(count_objects("packs/"), 6u); // 1 MiB packs
  EXPECT_EQ(count_objects("manifests/"), 1u);
  EXPECT_TRUE(store_->exists("mlv-remote.yaml"));
  EXPECT_GE(pushed.bytes_sent, k_file_size);
  EXPECT_LT(pushed.bytes_sent, k_file_size + k_file_size / 20); // index and manifest overhead

  auto& ci = machine("ci");
  const auto fetched = fetch(ci, remote(), files({id}), options());
  ASSERT_TRUE(ci.has_file(id));
  EXPECT_EQ(read_all(ci.file_path(id)), read_all(work("v1")));
  EXPECT_EQ(fetched.files_transferred, 1u);
  EXPECT_GT(fetched.chunks_new, 50u);
  // Coalesced range reads: far fewer requests than chunks.
  EXPECT_LT(fetched.requests, fetched.chunks_new / 4);
  // The fetched file's chunks are indexed, and its cache manifest carries no pack locations.
  const auto manifest = ci.read_manifest(id);
  ASSERT_TRUE(manifest.has_value());
  EXPECT_TRUE(manifest->chunks.front().pack.empty());
  EXPECT_TRUE(ci.state().find_local_chunk(manifest->chunks.back().id).has_value());
  // Nothing is left in the cache's tmp/.
  EXPECT_TRUE(fs::is_empty(ci.tmp_dir()));
}

// Text-like bytes and float32 weights: what zstd and byte grouping shrink.
std::string compressible_bytes(std::size_t size) {
  std::mt19937 random(5);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::string bytes;
  while (bytes.size() < size) {
    bytes += "epoch " + std::to_string(random() % 1000) + " loss 0.0" +
             std::to_string(random() % 100) + "\n";
    for (int i = 0; i < 64; ++i) {
      const float value = normal(random);
      bytes.append(reinterpret_cast<const char*>(&value), 4);
    }
  }
  bytes.resize(size);
  return bytes;
}

TEST_F(PushFetchTest, CompressedChunksRoundTripAndAreReusedByAnotherMachine) {
  write_all(work("c1"), compressible_bytes(3 << 20));
  const auto id = machine("laptop").store_file(work("c1")).id;
  const auto pushed = push(machine("laptop"), remote(), files({id}), options());
  EXPECT_LT(pushed.bytes_sent, (3u << 20) * 9 / 10) << "chunks went up compressed";
  std::string text;
  store_->get(manifest_key(id), [&](std::span<const std::byte> b) {
    text.append(reinterpret_cast<const char*>(b.data()), b.size());
  });
  // Stored as a zstd frame of a version 2 manifest (chunks with stored lengths and encodings).
  EXPECT_EQ(cache::serialize_manifest(parse_remote_manifest(text, "test")).substr(0, 15),
            "mlv-manifest 2\n");

  auto& ci = machine("ci");
  fetch(ci, remote(), files({id}), options());
  ASSERT_TRUE(ci.has_file(id));
  EXPECT_EQ(read_all(ci.file_path(id)), read_all(work("c1")));

  // Another machine edits the file: its new manifest reuses the compressed chunks already up
  // (their stored length and encoding come from the first manifest), and reads back whole.
  auto edited = read_all(work("c1"));
  edited.replace(edited.size() / 2, 10, "0123456789");
  write_all(work("c2"), edited);
  const auto id2 = machine("desktop").store_file(work("c2")).id;
  Targets targets = files({id2});
  targets.history_file_ids = {id};
  const auto second = push(machine("desktop"), remote(), targets, options());
  EXPECT_LT(second.bytes_sent, 200u * 1024);
  auto& other = machine("other");
  fetch(other, remote(), files({id2}), options());
  ASSERT_TRUE(other.has_file(id2));
  EXPECT_EQ(read_all(other.file_path(id2)), edited);
}

TEST_F(PushFetchTest, AFileInAPackOfFormatVersion1IsStillFetched) {
  // A remote as an mlv before compressed packs left it: a version 1 pack and manifest.
  const std::vector<std::string> chunks = {std::string(20000, 'a'), std::string(30000, 'b')};
  const auto pack = testing::version1_pack(chunks);
  const auto pack_id = hash::sha256_hex(pack);
  store_->put(pack_key(pack_id), std::as_bytes(std::span(pack.data(), pack.size())));
  const auto whole = chunks[0] + chunks[1];
  cache::Manifest manifest;
  manifest.id = hash::sha256_hex(whole);
  manifest.size = whole.size();
  manifest.chunks = {{hash::sha256_hex(chunks[0]), 20000, pack_id, 0},
                     {hash::sha256_hex(chunks[1]), 30000, pack_id, 20000}};
  const auto text = cache::serialize_manifest(manifest);
  ASSERT_EQ(text.substr(0, 15), "mlv-manifest 1\n");
  store_->put(manifest_key(manifest.id), std::as_bytes(std::span(text.data(), text.size())));
  const std::string layout = "layout: 1\n";
  store_->put("mlv-remote.yaml", std::as_bytes(std::span(layout.data(), layout.size())));

  auto& ci = machine("ci");
  fetch(ci, remote(), files({manifest.id}), options());
  ASSERT_TRUE(ci.has_file(manifest.id));
  EXPECT_EQ(read_all(ci.file_path(manifest.id)), whole);
  EXPECT_EQ(read_pack_index(*store_, pack_key(pack_id), pack.size()).size(), 2u);
}

TEST_F(PushFetchTest, ASecondPushUploadsNothing) {
  const auto id = add_random("laptop", 2);
  push(machine("laptop"), remote(), files({id}), options());
  const auto again = push(machine("laptop"), remote(), files({id}), options());
  EXPECT_EQ(again.bytes_sent, 0u);
  EXPECT_EQ(again.files_skipped, 1u);
  // A machine whose state database knows nothing asks the remote and still uploads nothing.
  machine("desktop").store_file(work("v2"));
  const auto other = push(machine("desktop"), remote(), files({id}), options());
  EXPECT_EQ(other.bytes_sent, 0u);
  EXPECT_EQ(other.files_skipped, 1u);
}

TEST_F(PushFetchTest, DataOnlyTheRemoteHoldsIsSkippedAndDataNowhereStopsThePushFirst) {
  const auto shared = add_random("laptop", 21);
  push(machine("laptop"), remote(), files({shared}), options());
  // A clone that never fetched `shared` still pushes its own new file beside it.
  auto& clone = machine("clone");
  const auto own = add_random("clone", 22);
  const auto pushed = push(clone, remote(), files({shared, own}), options());
  EXPECT_EQ(pushed.files_skipped, 1u);
  EXPECT_EQ(pushed.files_transferred, 1u);
  // An id in neither place stops the push before anything is sent, named by its label.
  auto targets = files({own, std::string(64, 'a')});
  targets.labels.emplace(std::string(64, 'a'), "models/lost.bin.mlv");
  const auto packs_before = count_objects("packs/");
  try {
    push(machine("third"), remote(), targets, options());
    FAIL() << "a push of data held nowhere must fail";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::not_found);
    EXPECT_NE(std::string(error.what()).find("models/lost.bin.mlv"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(count_objects("packs/"), packs_before);
}

TEST_F(PushFetchTest, ASmallEditUploadsOnlyTheChangedChunks) {
  const auto v1 = add_random("laptop", 3);
  push(machine("laptop"), remote(), files({v1}), options());
  const auto v2 = add_edited("laptop", work("v3"));
  const auto pushed = push(machine("laptop"), remote(), files({v2}), options());
  EXPECT_GT(pushed.chunks_reused, 50u);
  EXPECT_LT(pushed.bytes_sent, k_file_size / 10);

  // Another machine learns the shared chunks from the earlier version's manifest on the remote.
  const auto v3_bytes = [&] {
    auto bytes = read_all(work("edited"));
    bytes[100] = static_cast<char>(~bytes[100]);
    return bytes;
  }();
  write_all(work("v3-again"), v3_bytes);
  auto& desktop = machine("desktop");
  const auto v3 = desktop.store_file(work("v3-again")).id;
  Targets targets = files({v3});
  targets.history_file_ids = {v1, v2};
  const auto from_desktop = push(desktop, remote(), targets, options());
  EXPECT_LT(from_desktop.bytes_sent, k_file_size / 10);

  // Every version still reads back whole on a fresh machine.
  for (const auto& [id, path] :
       {std::pair{v1, work("v3")}, {v2, work("edited")}, {v3, work("v3-again")}}) {
    fetch(machine("ci"), remote(), files({id}), options());
    EXPECT_EQ(read_all(machine("ci").file_path(id)), read_all(path));
  }
}

TEST_F(PushFetchTest, FetchTakesChunksThatCachedVersionsAlreadyHave) {
  const auto v1 = add_random("laptop", 4);
  const auto v2 = add_edited("laptop", work("v4"));
  push(machine("laptop"), remote(), files({v1, v2}), options());

  auto& ci = machine("ci");
  fetch(ci, remote(), files({v1}), options());
  const auto second = fetch(ci, remote(), files({v2}), options());
  EXPECT_GT(second.chunks_reused, 50u);
  EXPECT_LT(second.bytes_received, k_file_size / 10);
  EXPECT_EQ(read_all(ci.file_path(v2)), read_all(work("edited")));
}

TEST_F(PushFetchTest, AFileWithRepeatedChunksRoundTrips) {
  // Runs of zeros cut into identical chunks: each is packed once and fetched once.
  std::string bytes(3 * 1024 * 1024, '\0');
  bytes.replace(1024 * 1024, 9, "not zeros");
  write_all(work("sparse"), bytes);
  const auto id = machine("laptop").store_file(work("sparse")).id;
  const auto pushed = push(machine("laptop"), remote(), files({id}), options());
  EXPECT_LT(pushed.bytes_sent, bytes.size() / 4);
  const auto fetched = fetch(machine("ci"), remote(), files({id}), options());
  EXPECT_GT(fetched.chunks_reused, 0u);
  EXPECT_EQ(read_all(machine("ci").file_path(id)), bytes);
}

TEST_F(PushFetchTest, ACorruptedPackFailsTheFetchAndLeavesNothingInTheCache) {
  const auto id = add_random("laptop", 5);
  push(machine("laptop"), remote(), files({id}), options());
  const auto pack = remote_root_ / store_->list("packs/").front().key;
  fs::permissions(pack, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream file(pack, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(1000);
    file.put('\x42');
    file.seekp(1001);
    file.put('\x24');
  }
  auto& ci = machine("ci");
  try {
    fetch(ci, remote(), files({id}), options());
    FAIL() << "a corrupted pack must fail the fetch";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::corrupt);
    const std::string message = error.what();
    EXPECT_NE(message.find(pack.filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find(remote_root_.string()), std::string::npos) << message;
    EXPECT_FALSE(error.hint().empty());
  }
  EXPECT_FALSE(ci.has_file(id));
  EXPECT_TRUE(fs::is_empty(ci.tmp_dir()));
}

// Two ids under one prefix are answered by listing it, where a stray object someone left must
// not count as a manifest.
TEST_F(PushFetchTest, IdsSharingAPrefixAreFoundByListingItAndStrayKeysAreIgnored) {
  const std::string held = "ab" + std::string(62, '1');
  const std::string absent = "ab" + std::string(62, '2');
  cache::Manifest empty;
  empty.id = held;
  empty.params = chunk::k_default_params;
  const auto text = cache::serialize_manifest(empty);
  const auto bytes = std::as_bytes(std::span(text.data(), text.size()));
  store_->put("manifests/ab/" + held, bytes);
  store_->put("manifests/ab/notes.txt", bytes);
  auto& laptop = machine("laptop");
  const auto present = present_on_remote(laptop, remote(), {held, absent}, {}, 2);
  EXPECT_EQ(present, std::set<std::string>{held});
  EXPECT_TRUE(laptop.state().remote_has_manifest(remote().state_key, held));
  EXPECT_FALSE(laptop.state().remote_has_manifest(remote().state_key, "notes.txt"));
}

TEST_F(PushFetchTest, AManifestIsNeverWrittenBeforeItsPacks) {
  const auto id = add_random("laptop", 6);
  FaultStore failing(*store_, "packs/", 2); // the third pack upload fails
  try {
    push(machine("laptop"), remote(failing), files({id}), options());
    FAIL() << "the push must report the failed upload";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
  }
  EXPECT_EQ(count_objects("manifests/"), 0u);
  EXPECT_FALSE(present_on_remote(machine("laptop"), remote(), {id}, {}, 2).contains(id));
  // The next push completes the upload, and the file reads back.
  push(machine("laptop"), remote(), files({id}), options());
  fetch(machine("ci"), remote(), files({id}), options());
  EXPECT_EQ(read_all(machine("ci").file_path(id)), read_all(work("v6")));
}

TEST_F(PushFetchTest, APushCutShortBeforeItsManifestReusesThePacksItGotUp) {
  const auto id = add_random("laptop", 8);
  FaultStore failing(*store_, "manifests/"); // every pack goes up, the manifest does not
  EXPECT_THROW(push(machine("laptop"), remote(failing), files({id}), options()), Error);
  const auto packs = count_objects("packs/");
  ASSERT_GE(packs, 6u);
  EXPECT_EQ(count_objects("manifests/"), 0u);
  // The next push sends the manifest only; its manifest points into the packs already there.
  const auto again = push(machine("laptop"), remote(), files({id}), options());
  EXPECT_EQ(again.chunks_new, 0u);
  EXPECT_EQ(again.bytes_reused, k_file_size);
  EXPECT_EQ(again.objects_sent, 1u);
  EXPECT_LT(again.bytes_sent, 64u * 1024);
  EXPECT_EQ(count_objects("packs/"), packs);
  fetch(machine("ci"), remote(), files({id}), options());
  EXPECT_EQ(read_all(machine("ci").file_path(id)), read_all(work("v8")));
}

TEST_F(PushFetchTest, AStaleStateDatabaseDoesNotMakeManifestsPointAtLostPacks) {
  const auto v1 = add_random("laptop", 7);
  push(machine("laptop"), remote(), files({v1}), options());
  // The remote is wiped (a new bucket, a gc), but the laptop's state database remembers it.
  fs::remove_all(remote_root_);
  const auto v2 = add_edited("laptop", work("v7"));
  push(machine("laptop"), remote(), files({v2}), options());
  fetch(machine("ci"), remote(), files({v2}), options());
  EXPECT_EQ(read_all(machine("ci").file_path(v2)), read_all(work("edited")));
}

TEST_F(PushFetchTest, AnIdTheRemoteLacksIsReportedAndTheOthersAreStillFetched) {
  const auto lost = add_random("laptop", 8);
  const auto pushed = add_random("laptop", 9);
  push(machine("laptop"), remote(), files({pushed}), options());
  auto& ci = machine("ci");
  const auto fetched = fetch(ci, remote(), files({lost, pushed}), options());
  EXPECT_TRUE(ci.has_file(pushed)) << "one missing object must not stop the others";
  EXPECT_FALSE(ci.has_file(lost));
  ASSERT_EQ(fetched.missing.size(), 1u);
  EXPECT_EQ(fetched.missing.begin()->first, lost);
  EXPECT_EQ(fetched.missing.begin()->second, "") << "its manifest is what the remote lacks";
}

TEST_F(PushFetchTest, DirectoriesTravelWithTheirFiles) {
  auto& laptop = machine("laptop");
  write_random_file(work("weights"), 300000, 9);
  write_all(work("config"), "{\"layers\": 3}\n");
  cache::DirListing listing;
  listing.entries.push_back({"config.json", laptop.store_file(work("config")).id, 14, false});
  listing.entries.push_back({"weights.bin", laptop.store_file(work("weights")).id, 300000, false});
  const auto dir_id = laptop.write_dir(listing);
  Targets targets;
  targets.dir_ids = {dir_id};
  push(laptop, remote(), targets, options());
  // The folder's manifests travel in one bundle, not one object per file.
  EXPECT_EQ(count_objects("manifests/"), 0u);
  EXPECT_EQ(count_objects("bundles/"), 1u);
  EXPECT_EQ(count_objects("dirs/"), 1u);
  EXPECT_EQ(present_on_remote(laptop, remote(), {}, {dir_id}, 2), std::set<std::string>{dir_id});

  auto& ci = machine("ci");
  fetch(ci, remote(), targets, options());
  ASSERT_TRUE(ci.read_dir(dir_id).has_value());
  EXPECT_EQ(*ci.read_dir(dir_id), listing);
  EXPECT_EQ(read_all(ci.file_path(listing.entries[1].id)), read_all(work("weights")));
}

// A folder of `count` small random files (8-24 KiB) in the laptop's cache; file `changed` (when
// given) gets other bytes, as an edit would.
struct SmallFolder {
  std::string dir_id;
  cache::DirListing listing;
};

class FolderPushTest : public PushFetchTest {
protected:
  SmallFolder add_folder(std::size_t count, std::optional<std::size_t> changed = std::nullopt) {
    auto& laptop = machine("laptop");
    SmallFolder folder;
    for (std::size_t i = 0; i < count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "f%04zu.bin", i);
      const auto size = 8192 + (i * 7919) % 16384;
      write_random_file(work(name), size, changed == i ? 100000 + i : i + 1);
      folder.listing.entries.push_back({name, laptop.store_file(work(name)).id, size, false});
    }
    folder.dir_id = laptop.write_dir(folder.listing);
    return folder;
  }
  static Targets dirs(const std::string& dir_id) {
    Targets targets;
    targets.dir_ids = {dir_id};
    return targets;
  }
  void expect_fetched_whole(const SmallFolder& folder) {
    auto& ci = machine("ci");
    for (const auto& entry : folder.listing.entries) {
      ASSERT_TRUE(ci.has_file(entry.id)) << entry.path;
      EXPECT_EQ(read_all(ci.file_path(entry.id)), read_all(machine("laptop").file_path(entry.id)))
          << entry.path;
    }
  }
};

TEST_F(FolderPushTest, ManySmallFilesTravelInAFewObjectsAndRequests) {
  const auto folder = add_folder(200);
  const auto pushed = push(machine("laptop"), remote(), dirs(folder.dir_id), options());
  EXPECT_EQ(count_objects("manifests/"), 0u);
  EXPECT_EQ(count_objects("bundles/"), 1u);
  // ~3 MB in 1 MiB packs: a handful of packs, one bundle, one listing; never one per file.
  EXPECT_LT(pushed.objects_sent, 10u);
  EXPECT_LT(pushed.requests, 30u);
  auto& ci = machine("ci");
  const auto fetched = fetch(ci, remote(), dirs(folder.dir_id), options());
  EXPECT_TRUE(fetched.missing.empty());
  EXPECT_EQ(fetched.files_transferred, 200u);
  EXPECT_LT(fetched.requests, 30u);
  expect_fetched_whole(folder);
  // The fetched files' manifests and chunks are known locally, as for a file fetched alone.
  EXPECT_TRUE(ci.read_manifest(folder.listing.entries[7].id).has_value());
  EXPECT_TRUE(fs::is_empty(ci.tmp_dir()));
  // Pushed again, nothing is sent: the listing, its bundle and the bundle's packs are there.
  const auto again = push(machine("laptop"), remote(), dirs(folder.dir_id), options());
  EXPECT_EQ(again.objects_sent, 0u);
  EXPECT_EQ(again.files_skipped, 200u);
}

TEST_F(FolderPushTest, OneChangedFileSendsItsChunksABundleAndAListing) {
  const auto before = add_folder(100);
  Targets first = dirs(before.dir_id);
  push(machine("laptop"), remote(), first, options());
  const auto packs = count_objects("packs/");
  const auto after = add_folder(100, 42);
  Targets second = dirs(after.dir_id);
  second.history_dir_ids = {before.dir_id};
  const auto pushed = push(machine("laptop"), remote(), second, options());
  EXPECT_EQ(pushed.objects_sent, 3u) << "one pack, one bundle, one listing";
  EXPECT_LE(pushed.bytes_sent, after.listing.entries[42].size + 64u * 1024);
  EXPECT_EQ(count_objects("packs/"), packs + 1);
  fetch(machine("ci"), remote(), second, options());
  expect_fetched_whole(after);
}

TEST_F(FolderPushTest, AFolderPushedBeforeBundlesIsStillFetched) {
  // What an earlier mlv wrote: a manifest per file, then the dir listing, and no bundle.
  const auto folder = add_folder(30);
  Targets each;
  for (const auto& entry : folder.listing.entries) {
    each.file_ids.insert(entry.id);
  }
  push(machine("laptop"), remote(), each, options());
  const auto text = cache::serialize_dir_listing(folder.listing);
  store_->put(dir_key(folder.dir_id), std::as_bytes(std::span(text.data(), text.size())));
  ASSERT_EQ(count_objects("bundles/"), 0u);
  EXPECT_EQ(present_on_remote(machine("laptop"), remote(), {}, {folder.dir_id}, 2),
            std::set<std::string>{folder.dir_id});
  const auto fetched = fetch(machine("ci"), remote(), dirs(folder.dir_id), options());
  EXPECT_TRUE(fetched.missing.empty());
  expect_fetched_whole(folder);
}

TEST_F(FolderPushTest, AMissingPackFailsOnlyTheFilesInIt) {
  const auto folder = add_folder(200);
  push(machine("laptop"), remote(), dirs(folder.dir_id), options());
  // A folder without a whole bundle behind it is not on the remote.
  const auto packs = store_->list("packs/");
  ASSERT_GE(packs.size(), 2u);
  store_->remove(packs.front().key);
  EXPECT_TRUE(present_on_remote(machine("laptop"), remote(), {}, {folder.dir_id}, 2).empty());
  auto& ci = machine("ci");
  const auto fetched = fetch(ci, remote(), dirs(folder.dir_id), options());
  ASSERT_EQ(fetched.missing.size(), 1u);
  EXPECT_EQ(fetched.missing.begin()->first, folder.dir_id);
  EXPECT_NE(fetched.missing.begin()->second.find("is missing"), std::string::npos);
  std::size_t have = 0;
  for (const auto& entry : folder.listing.entries) {
    have += ci.has_file(entry.id) ? 1 : 0;
  }
  EXPECT_GT(have, 0u) << "files in the packs that are there are fetched";
  EXPECT_LT(have, 200u);
  EXPECT_TRUE(fs::is_empty(ci.tmp_dir()));
  // Pushed again, the lost pack goes up again and the folder is whole.
  push(machine("laptop"), remote(), dirs(folder.dir_id), options());
  const auto again = fetch(ci, remote(), dirs(folder.dir_id), options());
  EXPECT_TRUE(again.missing.empty());
  expect_fetched_whole(folder);
}

TEST_F(FolderPushTest, ADamagedBundleIsBadInputNamingIt) {
  const auto folder = add_folder(10);
  push(machine("laptop"), remote(), dirs(folder.dir_id), options());
  const auto key = store_->list("bundles/").front().key;
  const std::string junk = "mlv-bundle 1\ndir nothex\n";
  store_->put(key, std::as_bytes(std::span(junk.data(), junk.size())));
  try {
    fetch(machine("ci"), remote(), dirs(folder.dir_id), options());
    FAIL() << "a damaged bundle was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
  }
}

TEST_F(PushFetchTest, ARemoteWithANewerLayoutIsRefused) {
  const auto id = add_random("laptop", 10);
  const std::string layout = "layout: 2\n";
  store_->put("mlv-remote.yaml", std::as_bytes(std::span(layout.data(), layout.size())));
  try {
    push(machine("laptop"), remote(), files({id}), options());
    FAIL() << "layout 2 is unknown to this mlv";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_EQ(error.hint(), "upgrade mlv");
  }
  EXPECT_EQ(count_objects("packs/"), 0u);
}

TEST_F(PushFetchTest, ProgressIsReportedAtMostAFewTimesASecond) {
  const auto id = add_random("laptop", 11);
  auto opts = options();
  int reports = 0;
  opts.progress = [&](const Stats&) { ++reports; };
  const auto stats = push(machine("laptop"), remote(), files({id}), opts);
  EXPECT_LE(reports, static_cast<int>(stats.seconds * 5) + 2);
}

} // namespace
} // namespace mlv::transfer
