// Scanning pickle streams: each finding names the callable, its offset and why; names hidden
// behind the memo or built on the stack are still resolved.

#include "scan_test_helpers.hpp"

#include <gtest/gtest.h>

namespace mlv::scan {
namespace {

using namespace testing;

std::string describe(const ScanReport& report) {
  std::string text = std::string(verdict_name(report.verdict)) + ":";
  for (const auto& finding : report.findings) {
    text += " [" + std::string(severity_name(finding.severity)) + " " + finding.callable + " @" +
            std::to_string(finding.offset) + " " + finding.container + " " + finding.member + "]";
  }
  return text;
}

TEST(ScanPickle, ReduceOfOsSystem) {
  const std::string bytes = os_system_pickle();
  const auto report = scan_bytes(bytes, "evil.pkl");
  EXPECT_EQ(report.verdict, Verdict::unsafe);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  const auto& finding = report.findings[0];
  EXPECT_EQ(finding.severity, Severity::unsafe);
  EXPECT_EQ(finding.callable, "posix.system");
  EXPECT_EQ(finding.offset, bytes.rfind('R'));
  EXPECT_EQ(finding.container, "pickle");
  EXPECT_EQ(finding.member, "");
  EXPECT_EQ(finding.reason, "process execution");
  EXPECT_EQ(report.pickle_streams, 1u);
}

TEST(ScanPickle, GlobalStoredWithBinputAndFetchedWithBingetBeforeReduce) {
  // The GLOBAL is memoized and popped; benign values come between; BINGET fetches it back.
  const std::string bytes = "\x80\x02"
                            "cos\nsystem\n" +
                            binput(3) + "0" +
                            "N0K\x01"
                            "0" +
                            binget(3) + short_unicode("id") + "\x85" + "R" + ".";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "os.system");
  EXPECT_EQ(report.findings[0].offset, bytes.size() - 2); // the REDUCE, not the GLOBAL
  EXPECT_EQ(report.verdict, Verdict::unsafe);
}

TEST(ScanPickle, StackGlobalFromMemoizedStrings) {
  const std::string bytes = "\x80\x04" + short_unicode("builtins") + "\x94" +
                            short_unicode("eval") + "\x94" + "00" + binget(0) + binget(1) + "\x93" +
                            short_unicode("__import__('os').system('id')") + "\x85" + "R.";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "builtins.eval");
  EXPECT_EQ(report.findings[0].reason, "code evaluation or compilation");
  EXPECT_EQ(report.findings[0].offset, bytes.size() - 2);
}

TEST(ScanPickle, InstAndObj) {
  const std::string inst = "(S'id'\nisubprocess\ncheck_output\n.";
  auto report = scan_bytes(inst);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "subprocess.check_output");
  EXPECT_EQ(report.findings[0].offset, inst.find("\ni") + 1);

  const std::string obj = "(c__builtin__\nexec\nS'import os'\no.";
  report = scan_bytes(obj);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "__builtin__.exec");
  EXPECT_EQ(report.findings[0].offset, obj.rfind('o'));
  EXPECT_EQ(report.verdict, Verdict::unsafe);
}

TEST(ScanPickle, NewobjEx) {
  const std::string bytes = "\x80\x04" + short_unicode("runpy") + short_unicode("_run_code") +
                            "\x93" + short_unicode("print(1)") + "\x85" + "}" + "\x92" + ".";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "runpy._run_code");
  EXPECT_EQ(report.findings[0].offset, bytes.size() - 2);
}

TEST(ScanPickle, Protocol0Text) {
  // What pickle.dumps(..., protocol=0) writes for the os.system payload.
  const std::string bytes = "cposix\nsystem\np0\n(Vecho pwned\np1\ntp2\nRp3\n.";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "posix.system");
  EXPECT_EQ(report.findings[0].offset, bytes.find('R'));
}

TEST(ScanPickle, AGlobalNamedButNeverCalledIsReportedWhereItIsNamed) {
  // Loading imports the module even if nothing calls the attribute.
  const std::string bytes = "\x80\x02"
                            "cos\nsystem\n"
                            "0N.";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].offset, 2u);
  EXPECT_EQ(report.verdict, Verdict::unsafe);
}

TEST(ScanPickle, UnknownClassesAndRuntimeCallablesAreSuspicious) {
  // A class outside the allow-list, and a REDUCE whose callable is the result of a call.
  const std::string bytes = "\x80\x02"
                            "cmymodule\nModel\n)\x81"
                            "0"
                            "cmymodule\nfactory\n)R)R.";
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.verdict, Verdict::suspicious) << describe(report);
  ASSERT_EQ(report.findings.size(), 3u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "mymodule.Model");
  EXPECT_EQ(report.findings[1].callable, "mymodule.factory");
  EXPECT_EQ(report.findings[2].callable, "<result of mymodule.factory>");
  EXPECT_EQ(report.findings[2].offset, bytes.size() - 2);
}

TEST(ScanPickle, UnresolvableStackGlobal) {
  // The module comes from a memo slot never written: the name cannot be resolved statically,
  // but "system" names a dangerous function whatever module it is taken from; with a known
  // module on the deny-list, the unknown name is unsafe anyway.
  const std::string unknown = "\x80\x04" + binget(5) + short_unicode("system") + "\x93" + ")R.";
  auto report = scan_bytes(unknown);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "?.system");
  EXPECT_EQ(report.findings[0].severity, Severity::unsafe);

  const std::string half = "\x80\x04" + short_unicode("os") + binget(5) + "\x93" + ")R.";
  report = scan_bytes(half);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].callable, "os.?");
  EXPECT_EQ(report.findings[0].severity, Severity::unsafe);
}

TEST(ScanPickle, NestedPickleLoadsOfABytesPayload) {
  const std::string payload = os_system_pickle();
  const std::string bytes = "\x80\x03"
                            "cpickle\nloads\n" +
                            binbytes(payload) + "\x85" + "R" + ".";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 2u) << describe(report);
  const std::uint64_t reduce = bytes.size() - 2;
  EXPECT_EQ(report.findings[0].callable, "pickle.loads");
  EXPECT_EQ(report.findings[0].reason, "nested unpickling or deserialization");
  EXPECT_EQ(report.findings[0].offset, reduce);
  // The payload's own finding, with its offset inside the payload.
  EXPECT_EQ(report.findings[1].callable, "posix.system");
  EXPECT_EQ(report.findings[1].offset, payload.rfind('R'));
  EXPECT_EQ(report.findings[1].container,
            "pickle > payload of pickle.loads at " + std::to_string(reduce) + " > pickle");
}

TEST(ScanPickle, ProtocolTwoPayloadSpelledAsLatinOneText) {
  // Protocol 2 pickles bytes as _codecs.encode(text, "latin1"); the payload is still found.
  std::string latin;
  for (const char c : std::string("\x80\x02"
                                  "cos\nsystem\nN\x85R.")) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      latin.push_back(c);
    } else {
      latin.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      latin.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  const std::string bytes = "\x80\x02"
                            "cpickle\nloads\n"
                            "c_codecs\nencode\n" +
                            unicode(latin) + unicode("latin1") + "\x86R\x85R.";
  const auto report = scan_bytes(bytes);
  ASSERT_EQ(report.findings.size(), 2u) << describe(report);
  EXPECT_EQ(report.findings[1].callable, "os.system");
}

TEST(ScanPickle, StreamThatBreaksAfterItsPayload) {
  // The payload runs, then garbage: an unpickler fails only after having called os.system.
  std::string bytes = os_system_pickle();
  bytes.pop_back(); // no STOP
  bytes += "\xff\xfe garbage";
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.verdict, Verdict::unsafe);
  // Where the stream breaks is a finding of its own: a loader that reads the bytes differently
  // may go on where the scanner stops.
  ASSERT_EQ(report.findings.size(), 2u) << describe(report);
  EXPECT_EQ(report.findings[1].callable, "<unscanned>");
  EXPECT_EQ(report.findings[1].severity, Severity::suspicious);
  EXPECT_NE(
      report.findings[1].reason.find("breaks off at offset " + std::to_string(bytes.find('\xff'))),
      std::string::npos)
      << report.findings[1].reason;
}

TEST(ScanPickle, PicklesBackToBack) {
  // A program that calls load() twice runs the second pickle too.
  const std::string bytes = "\x80\x02}." + os_system_pickle();
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.verdict, Verdict::unsafe);
  EXPECT_EQ(report.pickle_streams, 2u);
  ASSERT_EQ(report.findings.size(), 1u) << describe(report);
  EXPECT_EQ(report.findings[0].offset, 4 + os_system_pickle().rfind('R'));
}

TEST(ScanPickle, ExtensionCodesAreSuspicious) {
  const auto report = scan_bytes("\x80\x02\x82\x05)R.");
  EXPECT_EQ(report.verdict, Verdict::suspicious);
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].callable, "<extension code 5>");
}

TEST(ScanPickle, RepeatsAreCappedAndCounted) {
  std::string bytes = "\x80\x02";
  for (int i = 0; i < 40; ++i) {
    bytes += "cos\nsystem\nN\x85R0";
  }
  bytes += "N.";
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.findings.size(), 16u);
  EXPECT_EQ(report.findings_omitted, 24u);
}

TEST(ScanPickle, DataThatIsNoPickleIsClean) {
  const auto report = scan_bytes("just some text\n");
  EXPECT_EQ(report.verdict, Verdict::clean);
  EXPECT_EQ(report.pickle_streams, 0u);
  EXPECT_TRUE(report.notes.empty());
}

// pickle.load runs whatever opcodes it meets: bytes that no pickle.dump wrote, so that format
// detection does not call them a pickle, still run their payload.
TEST(ScanPickle, APayloadBehindOpcodesNoPickleDumpWritesIsStillUnsafe) {
  // "N0": push None, pop it; then a protocol 0 payload.
  EXPECT_EQ(scan_bytes("N0cposix\nsystem\n(S'id'\ntR.").verdict, Verdict::unsafe);
  // "I1\n0": push 1, pop it.
  EXPECT_EQ(scan_bytes("I1\n0cposix\nsystem\n(S'id'\ntR.").verdict, Verdict::unsafe);
  // Protocol 4 opcodes without a PROTO header: STACK_GLOBAL of two short strings, then REDUCE.
  const auto report = scan_bytes("\x8c\x05posix\x8c\x06system\x93\x8c\x02id\x85R."s, "weights.bin");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_NE(find(report, "posix.system"), nullptr) << describe(report);
}

TEST(ScanPickle, OtherBinaryDataThatStartsWithAnOpcodeIsNotFlagged) {
  // HDF5's signature starts with an opcode (NEWFALSE); its bytes are no payload.
  const auto report = scan_bytes("\x89HDF\r\n\x1a\n\x00\x00\x00\x00\x00\x08\x08\x00"s);
  EXPECT_EQ(report.verdict, Verdict::clean) << describe(report);
  EXPECT_TRUE(report.notes.empty());
}

} // namespace
} // namespace mlv::scan
