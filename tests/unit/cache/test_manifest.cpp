#include <mlv/cache/dir_listing.hpp>
#include <mlv/cache/manifest.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

namespace {

using namespace mlv::cache;

std::string id_of(const std::string& text) {
  return mlv::hash::sha256_hex(text);
}

Manifest sample_manifest() {
  Manifest manifest;
  manifest.id = id_of("file");
  manifest.size = 100000;
  manifest.chunks = {{id_of("a"), 60000, id_of("pack"), 0},
                     {id_of("b"), 40000, id_of("pack"), 60000}};
  return manifest;
}

void expect_rejected(const std::string& text, const std::string& words) {
  try {
    (void)parse_manifest(text, "manifests/ab/abc");
    FAIL() << "accepted a manifest that should fail: " << words;
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    const std::string message = error.what();
    EXPECT_NE(message.find("manifests/ab/abc"), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(Manifest, RoundTripsWithAndWithoutPackLocations) {
  const auto manifest = sample_manifest();
  const auto text = serialize_manifest(manifest);
  EXPECT_EQ(parse_manifest(text, "m"), manifest);
  auto local = manifest;
  for (auto& chunk : local.chunks) {
    chunk.pack.clear();
    chunk.pack_offset = 0;
  }
  EXPECT_EQ(parse_manifest(serialize_manifest(local), "m"), local);
  EXPECT_NE(text.find("chunker fastcdc min=16384 avg=65536 max=262144 gear=mlv-gear-v1"),
            std::string::npos)
      << "the chunker parameters are recorded";
}

TEST(Manifest, CompressedChunksMakeVersion2WithStoredLengthAndEncoding) {
  auto manifest = sample_manifest();
  // Only raw chunks: version 1, byte for byte what an older mlv wrote and reads.
  EXPECT_EQ(serialize_manifest(manifest).substr(0, 15), "mlv-manifest 1\n");
  manifest.chunks[1].stored_length = 1234;
  manifest.chunks[1].encoding = ChunkEncoding::zstd_grouped4;
  const auto text = serialize_manifest(manifest);
  EXPECT_EQ(text.substr(0, 15), "mlv-manifest 2\n");
  EXPECT_NE(text.find(id_of("pack") + " 60000 1234 zstd-bg4\n"), std::string::npos) << text;
  EXPECT_NE(text.find(id_of("pack") + " 0\n"), std::string::npos) << "raw lines keep 4 words";
  const auto parsed = parse_manifest(text, "m");
  EXPECT_EQ(parsed, manifest);
  EXPECT_EQ(parsed.chunks[1].pack_length(), 1234u);
  EXPECT_EQ(parsed.chunks[0].pack_length(), 60000u);

  expect_rejected(replace(text, "zstd-bg4", "brotli"), "unknown chunk encoding 'brotli'");
  expect_rejected(replace(text, " 1234 ", " 0 "), "stored length 0");
  expect_rejected(replace(text, "mlv-manifest 2", "mlv-manifest 1"), "line 7: expected");
  auto raw_only = sample_manifest();
  expect_rejected(replace(serialize_manifest(raw_only), "mlv-manifest 1", "mlv-manifest 2"),
                  "without a compressed chunk");
}

TEST(Manifest, AnEmptyFileHasNoChunks) {
  Manifest empty;
  empty.id = id_of("");
  EXPECT_EQ(parse_manifest(serialize_manifest(empty), "m"), empty);
}

TEST(Manifest, RejectsEachMalformedCase) {
  const auto text = serialize_manifest(sample_manifest());
  expect_rejected(replace(text, "mlv-manifest 1", "mlv-manifest 9"), "not an mlv manifest");
  expect_rejected(replace(text, "size 100000", "size 99999"), "add up");
  expect_rejected(replace(text, "size 100000", "size -1"), "not a number");
  expect_rejected(replace(text, id_of("a"), "xyz"), "not a 64-digit hex id");
  expect_rejected(replace(text, "chunks 2", "chunks 3"), "ends early");
  expect_rejected(replace(text, "60000 " + id_of("pack"), "0 " + id_of("pack")), "outside");
  expect_rejected(replace(text, "gear=mlv-gear-v1", "gear=other"), "gear");
  expect_rejected(text + "trailing\n", "unexpected text");
  expect_rejected(text.substr(0, text.size() - 1), "no newline");
  expect_rejected(replace(text, "chunks 2", "chunks 1"), "line 7: unexpected text");
  expect_rejected(replace(text, "id " + id_of("file"), "id " + std::string(64, 'A')), "hex id");
  expect_rejected(replace(text, "id " + id_of("file"), "di " + id_of("file")), "line 2");
  expect_rejected(replace(text, " 60000\n", " x\n"), "pack offset 'x' is not a number");
  expect_rejected(replace(text, id_of("pack") + " 0", "pack 0"), "pack id 'pack'");
  expect_rejected(replace(text, "min=16384", "min=99999"), "0 < min <= avg <= max");
  expect_rejected(replace(text, " gear=mlv-gear-v1", ""), "chunker fastcdc");
  expect_rejected(replace(text, "40000 " + id_of("pack"), "40000 " + id_of("pack") + " 7"),
                  "line 7: expected");
  expect_rejected("", "line 0: ends early");
  // A reader adds offset and length: a sum past 2^64 would wrap to a small offset.
  expect_rejected(replace(text, " 60000\n", " 18446744073709551615\n"), "passes 2^64");
}

TEST(Manifest, SizeMismatchNamesTheSizeLine) {
  expect_rejected(replace(serialize_manifest(sample_manifest()), "size 100000", "size 100001"),
                  "line 3: size 100001 but the chunk lengths add up to 100000");
}

TEST(Manifest, AOneGibFileManifestRoundTrips) {
  // 1 GiB at 64 KiB is about 16k chunks; push, pull and status read such manifests often. (Its
  // speed is a benchmark's business, not a timed assertion's.)
  Manifest manifest;
  manifest.id = id_of("big");
  for (int i = 0; i < 16384; ++i) {
    manifest.chunks.push_back({id_of(std::to_string(i)), 65536, id_of("pack"), 65536u * i});
    manifest.size += 65536;
  }
  const auto text = serialize_manifest(manifest);
  EXPECT_EQ(parse_manifest(text, "m"), manifest);
}

TEST(DirListing, IdIsTheHashOfCanonicalSortedBytes) {
  DirListing a;
  a.entries = {{"variables/data", id_of("1"), 10, false}, {"saved_model.pb", id_of("2"), 5, true}};
  DirListing b;
  b.entries = {a.entries[1], a.entries[0]};
  EXPECT_EQ(dir_listing_id(a), dir_listing_id(b)) << "order of discovery does not matter";
  const auto text = serialize_dir_listing(a);
  EXPECT_EQ(dir_listing_id(a), id_of(text));
  const auto parsed = parse_dir_listing(text, "d");
  ASSERT_EQ(parsed.entries.size(), 2u);
  EXPECT_EQ(parsed.entries[0].path, "saved_model.pb");
  EXPECT_TRUE(parsed.entries[0].executable);
  EXPECT_EQ(parsed.total_size(), 15u);
}

TEST(DirListing, KeepsSpacesInPaths) {
  DirListing listing;
  listing.entries = {{"my model/weights 1.bin", id_of("x"), 3, false}};
  EXPECT_EQ(parse_dir_listing(serialize_dir_listing(listing), "d"), listing);
}

void expect_listing_rejected(const std::string& text, const std::string& words) {
  try {
    (void)parse_dir_listing(text, "dirs/ab/abc");
    FAIL() << "accepted a dir listing that should fail: " << words;
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("dirs/ab/abc: " + words), std::string::npos)
        << error.what();
  }
}

TEST(DirListing, ErrorsNameTheSourceAndTheLine) {
  const auto entry = id_of("x") + " 3 644 ";
  expect_listing_rejected("mlv-dir 1\n" + entry + "a\n" + entry + "../b\n", "line 3: unsafe path");
  expect_listing_rejected("mlv-dir 1\n" + entry + "\n", "line 2: unsafe path ''");
  expect_listing_rejected("mlv-dir 1\nxyz 3 644 a\n", "line 2: 'xyz' is not a 64-digit hex id");
  expect_listing_rejected("mlv-dir 1\n" + id_of("x") + " -3 644 a\n", "line 2: size '-3'");
  expect_listing_rejected("mlv-dir 1\n" + id_of("x") + " 3 644\n", "line 2: expected");
  expect_listing_rejected("mlv-dir 1\n" + entry + "a", "line 2: the last line has no newline");
  expect_listing_rejected("", "line 1: empty file");
  expect_listing_rejected("mlv-dir 3\n", "line 1: not an mlv dir listing of version 1 or 2");
  expect_listing_rejected("mlv-dir 2\n" + entry + "a\n", "line 1: a version 2 listing without");
  expect_listing_rejected("mlv-dir 1\n- 0 dir assets\n", "line 2: '-' is not a 64-digit hex id");
  expect_listing_rejected("mlv-dir 2\n- 0 dir a\n" + entry + "a/b\n",
                          "empty folder 'a' has entries inside it");
}

TEST(DirListing, RecordsEmptyFoldersInVersion2) {
  DirListing listing;
  listing.entries = {{"saved_model.pb", id_of("1"), 5, false},
                     {"variables/v", id_of("2"), 7, false}};
  listing.empty_dirs = {"assets", "variables/extra"};
  const auto text = serialize_dir_listing(listing);
  // Files and empty folders share one path order ("variables/extra" < "variables/v").
  EXPECT_EQ(text, "mlv-dir 2\n- 0 dir assets\n" + id_of("1") + " 5 644 saved_model.pb\n" +
                      "- 0 dir variables/extra\n" + id_of("2") + " 7 644 variables/v\n");
  const auto parsed = parse_dir_listing(text, "d");
  EXPECT_EQ(parsed, listing);
  EXPECT_EQ(parsed.total_size(), 12u) << "an empty folder adds no bytes";
}

TEST(DirListing, AListingWithoutEmptyFoldersKeepsItsVersion1BytesAndId) {
  // Written by mlv before empty folders were recorded: its id must not change.
  const auto old_text = "mlv-dir 1\n" + id_of("1") + " 5 755 saved_model.pb\n";
  const auto parsed = parse_dir_listing(old_text, "d");
  EXPECT_TRUE(parsed.empty_dirs.empty());
  EXPECT_EQ(serialize_dir_listing(parsed), old_text);
  EXPECT_EQ(dir_listing_id(parsed), id_of(old_text));
}

TEST(DirListing, RefusesToWriteAPathItCouldNotReadBack) {
  for (const std::string path : {"line\nbreak", "", "/abs", "a/../b", "back\\slash"}) {
    DirListing listing;
    listing.entries = {{path, id_of("x"), 3, false}};
    EXPECT_THROW((void)serialize_dir_listing(listing), mlv::Error) << path;
  }
  DirListing twice;
  twice.entries = {{"a", id_of("x"), 3, false}, {"a", id_of("y"), 4, false}};
  EXPECT_THROW((void)serialize_dir_listing(twice), mlv::Error);
}

TEST(DirListing, RejectsUnsafeOrMalformedEntries) {
  const auto good = "mlv-dir 1\n" + id_of("x") + " 3 644 ";
  for (const std::string path :
       {"../escape", "/etc/passwd", "a/../../b", "a//b", ".", "a/./b", "dir/", "tab\there"}) {
    EXPECT_THROW((void)parse_dir_listing(good + path + "\n", "d"), mlv::Error) << path;
  }
  EXPECT_THROW((void)parse_dir_listing("mlv-dir 2\n", "d"), mlv::Error);
  EXPECT_THROW((void)parse_dir_listing(good + "a\n" + id_of("y") + " 3 644 a\n", "d"), mlv::Error)
      << "duplicate";
  EXPECT_THROW((void)parse_dir_listing(good + "b\n" + id_of("y") + " 3 644 a\n", "d"), mlv::Error)
      << "unsorted";
  EXPECT_THROW((void)parse_dir_listing("mlv-dir 1\n" + id_of("x") + " 3 777 a\n", "d"), mlv::Error)
      << "mode";
}

} // namespace
