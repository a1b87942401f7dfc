// Containers read the way the real loaders read them (CPython's tarfile, numpy's .npy header,
// torch's zip reader, joblib's numpy_pickle): each payload here hides where an earlier scanner
// stopped or skipped while the loader read on. Built byte by byte, never loaded.

#include "scan_test_helpers.hpp"

#include <gtest/gtest.h>

namespace mlv::scan {
namespace {

using namespace testing;

std::string describe(const ScanReport& report) {
  std::string text = std::string(verdict_name(report.verdict)) + ":";
  for (const auto& finding : report.findings) {
    text += " [" + finding.callable + " @" + std::to_string(finding.offset) + " " +
            finding.container + " (" + finding.member + ") " + finding.reason + "]";
  }
  for (const auto& note : report.notes) {
    text += " note: " + note;
  }
  return text;
}

// The pickle os_system_pickle() writes, without its PROTO and STOP: opcodes that call os.system
// and leave the result on the stack, to go inside another pickle.
std::string os_system_call() {
  return "cposix\nsystem\n"s + unicode("echo pwned") + "\x85R";
}

// --- .npy headers: numpy evaluates them as a Python literal

std::string npy_with_descr_literal(const std::string& descr_literal) {
  std::string dict = "{'descr': " + descr_literal + ", 'fortran_order': False, 'shape': (1,), }";
  dict.append((64 - (10 + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  return "\x93NUMPY\x01\x00"s + le(dict.size(), 2) + dict + os_system_pickle();
}

TEST(ScanNpyHeader, ObjectTypeSpelledAnyWayNumpyAccepts) {
  for (const std::string descr :
       {"'object'", "'object_'", "'\\x4f'", "'\\u004f'", "'\\117'", "'obj' 'ect'", "u'|O'",
        "\"O8\"", "('O', (2,))", "[('a', '<f8'), (('t', 'b'), 'O')]", "'i4,O'", "'(2,)O'",
        "'''O'''"}) {
    const auto report = scan_bytes(npy_with_descr_literal(descr), "a.npy");
    EXPECT_EQ(report.verdict, Verdict::unsafe) << descr << ": " << describe(report);
    EXPECT_NE(find(report, "posix.system"), nullptr) << descr;
  }
}

TEST(ScanNpyHeader, ADescrTheScannerCannotEvaluateIsAFinding) {
  // \N{...} names a character from Unicode's database; numpy resolves it, the scanner does not.
  const auto report =
      scan_bytes(npy_with_descr_literal("'\\N{LATIN CAPITAL LETTER O}'"), "named.npy");
  const Finding* finding = find(report, "<unscanned>");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_NE(finding->reason.find("descr"), std::string::npos);
  EXPECT_NE(find(report, "posix.system"), nullptr) << describe(report);
}

TEST(ScanNpyHeader, PlainDtypesStayClean) {
  for (const std::string descr :
       {"'<f8'", "'|b1'", "'<U10'", "'<M8[ns]'",
        "[('x', '<f4'), ('', '|V4'), ('y', '<i8', (2, 3))]", "('<f4', (4,))", "'float64'",
        "'i4,f8'", "[('a', '|u1'), ('', '|V7')]"}) {
    std::string file = npy_with_descr_literal(descr);
    file.resize(file.size() - os_system_pickle().size());
    file += std::string(64, '\x00');
    const auto report = scan_bytes(file, "plain.npy");
    EXPECT_EQ(report.verdict, Verdict::clean) << descr << ": " << describe(report);
  }
}

// --- tar, as tarfile reads it

struct TarHeaderSpec {
  std::string name;
  std::string size_field; // 12 bytes as written
  char type = '0';
  bool ustar = true;
};

std::string octal_size(std::uint64_t size) {
  char text[13];
  std::snprintf(text, sizeof text, "%011llo", static_cast<unsigned long long>(size));
  return std::string(text, 11) + '\0';
}

std::string tar_header(const TarHeaderSpec& spec) {
  std::string header(512, '\0');
  header.replace(0, spec.name.size(), spec.name);
  header.replace(100, 8, "0000644\0"s);
  header.replace(108, 8, "0000000\0"s);
  header.replace(116, 8, "0000000\0"s);
  header.replace(124, 12, spec.size_field);
  header.replace(136, 12, "00000000000\0"s);
  header[156] = spec.type;
  if (spec.ustar) {
    header.replace(257, 8, "ustar\00000"s);
  }
  header.replace(148, 8, "        ");
  unsigned sum = 0;
  for (const char c : header) {
    sum += static_cast<unsigned char>(c);
  }
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  header.replace(148, 8, std::string(checksum, 6) + "\0 "s);
  return header;
}

std::string padded(std::string data) {
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return data;
}

TEST(ScanTarLikeTarfile, V7HeadersWithoutTheUstarMagic) {
  const std::string payload = os_system_pickle();
  const std::string tar =
      tar_header({"pickle", octal_size(payload.size()), '0', false}) + padded(payload) + tar_end();
  const auto report = scan_bytes(tar, "legacy.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_NE(find(report, "posix.system"), nullptr) << describe(report);
  EXPECT_EQ(find(report, "posix.system")->member, "pickle");
}

TEST(ScanTarLikeTarfile, MembersHiddenWhereAnotherReaderSkips) {
  const std::string payload = os_system_pickle();
  const std::string hidden =
      tar_header({"pickle", octal_size(payload.size())}) + padded(payload) + tar_end();
  // tarfile cuts a number field at its first NUL: this size is 0, not 01000.
  const std::string nul_size = tar_header({"a", "\0"
                                                "0000001000\0"s}) +
                               hidden;
  // A directory (or link, device) is followed by the next header whatever its size says.
  const std::string sized_directory = tar_header({"d/", octal_size(512), '5'}) + hidden;
  const std::string v7_directory = tar_header({"d/", octal_size(512), '\0', false}) + hidden;
  // int() strips what str.isspace() calls space, \x1c to \x1f included.
  const std::string odd_spaces =
      tar_header({"a", "\x1c\x1f"s + "0000001000"}) + padded(std::string(512, 'x')) + hidden;
  for (const auto* tar : {&nul_size, &sized_directory, &v7_directory, &odd_spaces}) {
    const auto report = scan_bytes(*tar, "legacy.pt");
    EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
    EXPECT_NE(find(report, "posix.system"), nullptr) << describe(report);
  }
}

TEST(ScanTarLikeTarfile, VendorTypesAreExtractedAsFiles) {
  const std::string payload = os_system_pickle();
  const std::string tar =
      tar_header({"pickle", octal_size(payload.size()), 'Z'}) + padded(payload) + tar_end();
  const auto report = scan_bytes(tar, "legacy.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

TEST(ScanTarLikeTarfile, PaxSizeReplacesTheHeaderSize) {
  // The header says 0 bytes; the pax record before it says how many there really are.
  const std::string payload = os_system_pickle();
  std::string record = " size=" + std::to_string(payload.size()) + "\n";
  record = std::to_string(record.size() + 2) + record;
  const std::string tar = tar_header({"././@PaxHeader", octal_size(record.size()), 'x'}) +
                          padded(record) + tar_header({"pickle", octal_size(0)}) + padded(payload) +
                          tar_end();
  const auto report = scan_bytes(tar, "legacy.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

// --- zip: storage records torch never unpickles, and nothing else

TEST(ScanZipLikeTorch, OnlyTheArchivesOwnStorageRecordsAreSkipped) {
  const std::string data_pkl = "\x80\x02(" + unicode("storage") + "ctorch\nFloatStorage\n" +
                               unicode("0") + unicode("cpu") + "K\x01tQ.";
  // The key "0" is named by archive/data.pkl; other/data/0 is no storage record of the archive
  // torch reads (its name comes from the first member's folder), and data/0.npy would be read by
  // numpy.load, so both are scanned.
  const auto report = scan_bytes(build_zip({{"archive/data.pkl", data_pkl},
                                            {"other/data/0", os_system_pickle()},
                                            {"archive/data/0", std::string(8, '\0')}}),
                                 "model.pt");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_NE(find(report, "posix.system"), nullptr) << describe(report);
  EXPECT_EQ(find(report, "posix.system")->member, "other/data/0");

  // A record only another pickle names is not skipped either.
  const auto second = scan_bytes(build_zip({{"archive/data.pkl", "\x80\x02}."s},
                                            {"archive/extra.pkl", data_pkl},
                                            {"archive/data/0", os_system_pickle()}}),
                                 "model.pt");
  EXPECT_EQ(second.verdict, Verdict::unsafe) << describe(second);
}

// --- joblib: where joblib.load resumes behind an array

// A wrapper whose class, dtype and attributes are given, up to and including its BUILD.
std::string wrapper(const std::string& class_module,
                    const std::string& class_name,
                    const std::string& dtype_code,
                    const std::string& dtype_state,
                    int items,
                    const std::string& alignment_value) {
  std::string out = short_unicode(class_module) + short_unicode(class_name) + "\x93)\x81}(" +
                    short_unicode("subclass") + short_unicode("numpy") + short_unicode("ndarray") +
                    "\x93" + short_unicode("shape") + "K" +
                    le(static_cast<std::uint64_t>(items), 1) + "\x85" + short_unicode("order") +
                    short_unicode("C") + short_unicode("dtype") + short_unicode("numpy") +
                    short_unicode("dtype") + "\x93" + short_unicode(dtype_code) + "\x89\x88\x87R" +
                    dtype_state + "b" + short_unicode("allow_mmap") + "\x89";
  if (!alignment_value.empty()) {
    out += short_unicode("numpy_array_alignment_bytes") + alignment_value;
  }
  return out + "ub";
}

std::string default_dtype_state(int elsize) {
  return "(K\x03" + short_unicode("<") + "NNNJ" + le(static_cast<std::uint64_t>(elsize), 4) +
         "J\xff\xff\xff\xffK\x00t"s;
}

// The bytes joblib reads behind a wrapper (`total` of them), laid out so that a reader that
// takes only `assumed` of them reads a BINBYTES that swallows the payload behind, up to STOP.
std::string region_hiding(std::string region, std::size_t assumed, std::size_t payload_size) {
  const std::size_t swallow = region.size() - assumed - 5 + payload_size;
  region.replace(assumed, 5, "B" + le(swallow, 4));
  return region;
}

std::string joblib_file(const std::string& wrapper_bytes, const std::string& region) {
  return "\x80\x04" + wrapper_bytes + region + "0" + os_system_call() + ".";
}

TEST(ScanJoblibLikeJoblib, WrapperUnderAnotherDottedName) {
  const std::string w = wrapper("joblib", "numpy_pickle.NumpyArrayWrapper", "u1",
                                default_dtype_state(-1), 8, "K\x10");
  // A reader that misses the wrapper reads its first byte, the padding length ('B', 66), as
  // BINBYTES; joblib skips 66 bytes of padding, then 8 of data.
  std::string region(1 + 'B' + 8, '\0');
  region = region_hiding(region, 0, os_system_call().size() + 1);
  const auto report = scan_bytes(joblib_file(w, region), "model.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

TEST(ScanJoblibLikeJoblib, DtypeStateSizeThatNumpyIgnores) {
  // numpy keeps 8 bytes per f8 item whatever the pickled state's elsize says.
  const std::string w =
      wrapper("joblib.numpy_pickle", "NumpyArrayWrapper", "f8", default_dtype_state(1), 1, "");
  const std::string region = region_hiding(std::string(8, '\0'), 1, os_system_call().size() + 1);
  const auto report = scan_bytes(joblib_file(w, region), "model.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

TEST(ScanJoblibLikeJoblib, AlignmentAttributeOfAnyValue) {
  // joblib reads the padding byte when the attribute is there and not None: a string counts.
  const std::string w = wrapper("joblib.numpy_pickle", "NumpyArrayWrapper", "u1",
                                default_dtype_state(-1), 8, short_unicode("yes"));
  std::string region(1 + 8 + 8, '\0');
  region[0] = 8; // eight bytes of padding
  region = region_hiding(region, 8, os_system_call().size() + 1);
  const auto report = scan_bytes(joblib_file(w, region), "model.joblib");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

TEST(ScanJoblibLikeJoblib, OldNdArrayWrapperLoadsASidecarFile) {
  const std::string file = "\x80\x02"s + "cjoblib.numpy_pickle\nNDArrayWrapper\n)\x81}(" +
                           short_unicode("filename") + short_unicode("model.pkl_01.npy") +
                           short_unicode("subclass") + "cnumpy\nndarray\n" +
                           short_unicode("allow_mmap") + "\x89ub.";
  const auto report = scan_bytes(file, "model.pkl");
  EXPECT_NE(report.verdict, Verdict::clean) << describe(report);
  const Finding* finding = find(report, "<unscanned>");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_NE(finding->reason.find("NDArrayWrapper"), std::string::npos);
}

// A zlib stream of stored deflate blocks (no compression needed to be a valid stream).
std::string zlib_stored(const std::string& data) {
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const char c : data) {
    a = (a + static_cast<unsigned char>(c)) % 65521;
    b = (b + a) % 65521;
  }
  const std::uint32_t adler = b << 16 | a;
  std::string out = "\x78\x01\x01"s + le(data.size(), 2) + le(~data.size() & 0xFFFF, 2) + data;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((adler >> shift) & 0xFF));
  }
  return out;
}

TEST(ScanJoblibLikeJoblib, ZfHeaderVariantsJoblibAccepts) {
  const std::string payload = os_system_pickle();
  const std::string length = std::to_string(payload.size());
  // int(text, 16) without "0x", and joblib <= 0.8.4's extra space before the zlib data.
  for (const std::string& header : {"ZF" + std::string("1f").append(17, ' '),
                                    "ZF0x" + std::string("1f").append(15, ' ') + " "}) {
    const auto report = scan_bytes(header + zlib_stored(payload), "old.pkl");
    EXPECT_EQ(report.verdict, Verdict::unsafe) << header << ": " << describe(report);
  }
}

TEST(ScanJoblibLikeJoblib, ZfFilesReadNoArraysBehindWrappers) {
  // joblib's compatibility unpickler (ZF files) reads no array behind a NumpyArrayWrapper: the
  // bytes a newer joblib would take for array data are run as opcodes.
  const std::string call = "c__main__\nEvil\n)R0"s;
  const std::string pickle = "\x80\x04" +
                             wrapper("joblib.numpy_pickle", "NumpyArrayWrapper", "u1",
                                     default_dtype_state(-1), static_cast<int>(call.size()), "") +
                             call + ".";
  std::string length = "0x" + std::to_string(pickle.size());
  length.resize(19, ' ');
  const auto report = scan_bytes("ZF" + length + zlib_stored(pickle), "old.pkl");
  EXPECT_NE(find(report, "__main__.Evil"), nullptr) << describe(report);
}

// --- bytes built from constants, fed to a nested loader

TEST(ScanNestedPayload, BytesOfAListOfIntegers) {
  const std::string payload = os_system_pickle();
  std::string list = "]" + binput(0) + "(";
  for (const char c : payload) {
    list += "K" + le(static_cast<unsigned char>(c), 1);
  }
  list += "e";
  const std::string file = "\x80\x02"
                           "cpickle\nloads\n"
                           "cbuiltins\nbytes\n"s +
                           list + "\x85R\x85R.";
  const auto report = scan_bytes(file, "nested.pkl");
  const Finding* finding = find(report, "posix.system");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_NE(finding->container.find("payload of pickle.loads"), std::string::npos);
}

TEST(ScanNestedPayload, CodecsEncodeWithUtf16) {
  std::string payload = os_system_pickle();
  if (payload.size() % 2 != 0) {
    payload += '.';
  }
  // The text whose UTF-16-LE encoding is the payload, written as UTF-8.
  std::string text;
  for (std::size_t i = 0; i < payload.size(); i += 2) {
    const unsigned unit =
        static_cast<unsigned char>(payload[i]) | static_cast<unsigned char>(payload[i + 1]) << 8;
    if (unit < 0x80) {
      text.push_back(static_cast<char>(unit));
    } else if (unit < 0x800) {
      text.push_back(static_cast<char>(0xC0 | unit >> 6));
      text.push_back(static_cast<char>(0x80 | (unit & 0x3F)));
    } else {
      text.push_back(static_cast<char>(0xE0 | unit >> 12));
      text.push_back(static_cast<char>(0x80 | (unit >> 6 & 0x3F)));
      text.push_back(static_cast<char>(0x80 | (unit & 0x3F)));
    }
  }
  const std::string file = "\x80\x02"
                           "cpickle\nloads\n"
                           "c_codecs\nencode\n"s +
                           unicode(text) + unicode("UTF-16LE") + "\x86R\x85R.";
  const auto report = scan_bytes(file, "nested.pkl");
  const Finding* finding = find(report, "posix.system");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_NE(finding->container.find("payload of pickle.loads"), std::string::npos);
}

TEST(ScanNestedPayload, BytesTheScannerCannotEvaluateAreAFinding) {
  // zlib.decompress(...) fed to torch's _load_from_bytes: the scanner does not run zlib here, so
  // the allowed loader is unsafe with these bytes; fed to pickle.loads (unsafe by name), the
  // report also says why the payload was not looked into.
  const std::string torch_file = "\x80\x02"
                                 "ctorch.storage\n_load_from_bytes\n"
                                 "czlib\ndecompress\n"s +
                                 binbytes("x") + "\x85R\x85R.";
  const auto torch_report = scan_bytes(torch_file, "nested.pkl");
  const Finding* loader = find(torch_report, "torch.storage._load_from_bytes");
  ASSERT_NE(loader, nullptr) << describe(torch_report);
  EXPECT_EQ(loader->severity, Severity::unsafe) << describe(torch_report);
  EXPECT_NE(loader->reason.find("cannot be scanned"), std::string::npos);

  const std::string pickle_file = "\x80\x02"
                                  "cpickle\nloads\n"
                                  "czlib\ndecompress\n"s +
                                  binbytes("x") + "\x85R\x85R.";
  const auto pickle_report = scan_bytes(pickle_file, "nested.pkl");
  bool found = false;
  for (const auto& finding : pickle_report.findings) {
    found = found || finding.reason.find("could not evaluate the bytes") != std::string::npos;
  }
  EXPECT_TRUE(found) << describe(pickle_report);
}

TEST(ScanCompressed, DataThatOnlyLooksCompressedIsClean) {
  // Random bytes start with a valid zlib header about once in 300 files: a weights file that
  // happens to is no pickle, since zlib (and so joblib) fails on it before a byte decodes.
  const std::string invalid_block = "\x78\x9c\x07"s + std::string(4096, '\xa5');
  const std::string preset_dictionary = "\x78\xbb"s + std::string(4096, '\x5a');
  for (const auto& bytes : {invalid_block, preset_dictionary}) {
    const auto report = scan_bytes(bytes, "weights.bin");
    EXPECT_EQ(report.verdict, Verdict::clean) << describe(report);
  }
}

} // namespace
} // namespace mlv::scan
