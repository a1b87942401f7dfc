// Pickles inside containers: zip archives (whatever a member's name, whatever the central
// directory claims), tar archives and legacy PyTorch files, .npy object arrays, joblib's
// inline arrays.

#include "scan_test_helpers.hpp"

#include <gtest/gtest.h>

namespace mlv::scan {
namespace {

using namespace testing;

std::string describe(const ScanReport& report) {
  std::string text = std::string(verdict_name(report.verdict)) + ":";
  for (const auto& finding : report.findings) {
    text += " [" + finding.callable + " @" + std::to_string(finding.offset) + " " +
            finding.container + " (" + finding.member + ")]";
  }
  for (const auto& note : report.notes) {
    text += " note: " + note;
  }
  return text;
}

TEST(ScanZip, AMemberNamedWeightsBinHoldingAPickle) {
  const std::string payload = os_system_pickle();
  const auto report =
      scan_bytes(build_zip({{"model/version", "3\n"}, {"model/weights.bin", payload}}), "model.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  const Finding* finding = find(report, "posix.system");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_EQ(finding->member, "model/weights.bin");
  EXPECT_EQ(finding->container, "zip > pickle");
  EXPECT_EQ(finding->offset, payload.rfind('R'));
}

TEST(ScanZip, CentralDirectoryThatMisleads) {
  // The directory calls the first member a deflated text file (its local header says stored
  // data.pkl) and does not list the second at all; both hold payloads and both are found.
  ZipMember renamed{"archive/data.pkl", os_system_pickle()};
  renamed.central_name = "archive/readme.txt";
  renamed.central_method = 8;
  ZipMember hidden{"archive/extra", "\x80\x02"
                                    "cbuiltins\neval\nN\x85R."};
  hidden.listed = false;
  const auto report = scan_bytes(build_zip({renamed, hidden}), "model.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe);
  const Finding* first = find(report, "posix.system");
  ASSERT_NE(first, nullptr) << describe(report);
  EXPECT_EQ(first->member, "archive/data.pkl");
  const Finding* second = find(report, "builtins.eval");
  ASSERT_NE(second, nullptr) << describe(report);
  EXPECT_EQ(second->member, "archive/extra");
}

TEST(ScanZip, MembersWhoseSizesAreInDataDescriptorsWithoutADirectory) {
  // PyTorch writes every member with flag bit 3 and zero sizes in the local header; with the
  // central directory cut off, the sizes come from the data descriptors.
  ZipMember first{"archive/data.pkl", "\x80\x02}."};
  first.sizes_in_descriptor = true;
  ZipMember second{"archive/more.pkl", os_system_pickle()};
  second.sizes_in_descriptor = true;
  const auto report = scan_bytes(build_zip({first, second}, false), "truncated.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  EXPECT_EQ(report.pickle_streams, 2u);
  ASSERT_NE(find(report, "posix.system"), nullptr);
  EXPECT_FALSE(report.notes.empty()); // the missing directory is noted
}

TEST(ScanZip, TensorRecordsThatThePickleNamesAreNotScanned) {
  // A storage record starting with bytes that look like a pickle is raw tensor data to torch.
  const std::string data_pkl = "\x80\x02(" + unicode("storage") + "ctorch\nFloatStorage\n" +
                               unicode("0") + unicode("cpu") + "K\x01tQ.";
  const auto report = scan_bytes(build_zip({{"archive/data.pkl", data_pkl},
                                            {"archive/data/0", os_system_pickle()},
                                            {"archive/data/1", os_system_pickle()}}),
                                 "model.pt");
  // data/0 is a storage the pickle names; data/1 is not, so it is scanned.
  EXPECT_EQ(report.pickle_streams, 2u) << describe(report);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].member, "archive/data/1");
}

TEST(ScanZip, RealPyTorchCheckpointHasOnePickle) {
  const auto report = scan_file(std::string(MLV_FIXTURES_DIR) + "/mlp_state_dict.pt");
  EXPECT_EQ(report.verdict, Verdict::clean) << describe(report);
  EXPECT_EQ(report.pickle_streams, 1u);
}

TEST(ScanNpy, ObjectArrayHoldsAPickle) {
  const std::string header = npy_header("|O");
  const std::string payload = os_system_pickle();
  const auto report = scan_bytes(header + payload, "objects.npy");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].container, "npy > pickle");
  EXPECT_EQ(report.findings[0].offset, header.size() + payload.rfind('R'));

  // The same bytes behind a float header are array data, which numpy never unpickles.
  EXPECT_EQ(scan_bytes(npy_header("<f4") + payload, "floats.npy").verdict, Verdict::clean);
}

TEST(ScanNpy, ObjectArrayInsideAnNpz) {
  const auto report = scan_bytes(build_zip({{"a.npy", npy_header("<f8") + std::string(16, '\0')},
                                            {"b.npy", npy_header("|O") + os_system_pickle()}}),
                                 "arrays.npz");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].member, "b.npy");
  EXPECT_EQ(report.findings[0].container, "zip > npy > pickle");
}

TEST(ScanTar, LegacyPyTorchTar) {
  // torch.save's oldest format; the payload sits in the storage views' pickle, behind a
  // storage's raw data that must be stepped over exactly.
  const std::string storages =
      "\x80\x02K\x01." +
      ("\x80\x02(" + unicode("0") + unicode("cpu") + "ctorch\nFloatStorage\nt.") + le(2, 8) +
      std::string(8, '\x80') + os_system_pickle();
  const std::string tar = tar_member("sys_info", "\x80\x02}.") +
                          tar_member("pickle", "\x80\x02}.") + tar_member("storages", storages) +
                          tar_member("tensors", "\x80\x02K\x00.") + tar_end();
  const auto report = scan_bytes(tar, "old.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  const Finding* finding = find(report, "posix.system");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_EQ(finding->member, "storages");
  EXPECT_EQ(finding->offset,
            storages.size() - os_system_pickle().size() + os_system_pickle().rfind('R'));
}

TEST(ScanTar, AnyMemberOfATar) {
  const std::string tar = tar_member("notes.txt", "hello\n") +
                          tar_member("model/model.pkl", os_system_pickle()) + tar_end();
  const auto report = scan_bytes(tar, "bundle.tar");
  EXPECT_EQ(report.verdict, Verdict::unsafe);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].member, "model/model.pkl");
  EXPECT_EQ(report.findings[0].container, "tar > pickle");
}

TEST(ScanLegacyTorch, ThePickleSequenceIsScanned) {
  // Magic number, protocol version, sys_info, the object (here a payload), storage keys; then
  // raw storages, which are never unpickled.
  const std::string magic = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
  const std::string file = magic + "\x80\x02M\xe9\x03." + "\x80\x02}." + os_system_pickle() +
                           "\x80\x02]." + le(4, 8) + std::string(16, '\x80');
  const auto report = scan_bytes(file, "legacy.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  EXPECT_EQ(report.pickle_streams, 5u);
  EXPECT_TRUE(report.notes.empty()) << describe(report);
}

// --- joblib

// A NumpyArrayWrapper for an array of `shape_items` items of `dtype`, written the way
// joblib >= 1.2 writes it (with numpy_array_alignment_bytes), up to and including its BUILD.
std::string joblib_wrapper(const std::string& dtype, int items, bool aligned) {
  std::string out =
      short_unicode("joblib.numpy_pickle") + short_unicode("NumpyArrayWrapper") + "\x93)\x81}(" +
      short_unicode("subclass") + short_unicode("numpy") + short_unicode("ndarray") + "\x93" +
      short_unicode("shape") + "K" + le(static_cast<std::uint64_t>(items), 1) + "\x85" +
      short_unicode("order") + short_unicode("C") + short_unicode("dtype") +
      short_unicode("numpy") + short_unicode("dtype") + "\x93" + short_unicode(dtype) +
      "\x89\x88\x87R" + "(K\x03" + short_unicode("<") +
      "NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"s + short_unicode("allow_mmap") + "\x88";
  if (aligned) {
    out += short_unicode("numpy_array_alignment_bytes") + "K\x10";
  }
  return out + "ub";
}

// A gzip member around `data` as one stored DEFLATE block, with the header bytes Python's gzip
// module skips but zlib would refuse: reserved flag bits and a header CRC that is wrong.
std::string gzip_with_header_quirks(const std::string& data) {
  std::uint32_t crc = 0xFFFFFFFFu; // CRC-32 (RFC 1952 8), bit by bit: test data is small
  for (const unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  crc ^= 0xFFFFFFFFu;
  std::string out = "\x1f\x8b\x08"s + static_cast<char>(0xE2) + le(0, 4) + "\x00\xff"s;
  out += "\xde\xad"; // FHCRC: not the CRC of the header
  out += "\x01"s + le(data.size(), 2) + le(~data.size() & 0xFFFF, 2) + data;
  return out + le(crc, 4) + le(data.size(), 4);
}

TEST(ScanJoblib, AGzipHeaderPythonReadsButZlibRefusesIsStillScanned) {
  // joblib.load(compress="gzip") reads through Python's gzip, which unpickles this member.
  const auto report = scan_bytes(gzip_with_header_quirks(os_system_pickle()), "model.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  EXPECT_NE(find(report, "posix.system"), nullptr) << describe(report);
}

TEST(ScanJoblib, RawArraysAreSteppedOverAndWhatFollowsIsScanned) {
  // Two arrays (one aligned, one in the older layout), then a payload in the main stream.
  std::string file = "\x80\x04(" + joblib_wrapper("f8", 2, true);
  file += "\x03\xff\xff\xff" + std::string(16, '\x63'); // padding byte, padding, 2 doubles
  file += joblib_wrapper("i4", 3, false) + std::string(12, '\x93');
  file += "cbuiltins\nexec\nN\x85R"
          "l.";
  const auto report = scan_bytes(file, "model.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "builtins.exec");
  EXPECT_EQ(report.findings[0].offset, file.size() - 3);
  EXPECT_TRUE(report.notes.empty()) << describe(report);
}

TEST(ScanJoblib, ObjectArraysAreNestedPickles) {
  std::string file = "\x80\x04" + joblib_wrapper("O8", 1, true) + os_system_pickle() + ".";
  const auto report = scan_bytes(file, "objects.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_NE(find(report, "posix.system"), nullptr);
  EXPECT_TRUE(report.notes.empty()) << describe(report);
}

TEST(ScanJoblib, ArrayDataThatPickleLoadWouldRun) {
  // joblib.load skips the array bytes, pickle.load would run them as opcodes: the padding
  // byte here is 'c' (GLOBAL) and the "padding" names os.system.
  const std::string hidden = "cos\nsystem\nN\x85R.";
  std::string file = "\x80\x04(" + joblib_wrapper("f8", 0, true);
  const std::uint64_t data_at = file.size();
  // 'c' (99) as the padding length: the region is that byte and 99 more.
  file += hidden + std::string(100 - hidden.size(), ' ') + "l.";
  const auto report = scan_bytes(file, "model.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  const Finding* finding = find(report, "os.system");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_EQ(finding->container, "pickle > array data read as pickle opcodes");
  EXPECT_EQ(finding->offset, data_at + hidden.find('R'));
}

TEST(ScanJoblib, RealJoblibFilesAreReadToTheirEnd) {
  for (const char* name : {"rf_small.joblib", "rf_small_zlib3.joblib"}) {
    const auto report = scan_file(std::string(MLV_FIXTURES_DIR) + "/" + name);
    EXPECT_EQ(report.verdict, Verdict::clean) << describe(report);
    EXPECT_TRUE(report.notes.empty()) << name << describe(report);
    EXPECT_EQ(report.pickle_streams, 1u) << name;
  }
}

} // namespace
} // namespace mlv::scan
