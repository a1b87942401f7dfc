// What a name resolves to, not what it says (docs/safety.md): re-exported modules and functions,
// allowed callables that call or look up their arguments, BUILD and SETITEM on modules and
// classes, names computed while loading. Every payload is built byte by byte and never loaded.

#include "scan_test_helpers.hpp"

#include <gtest/gtest.h>

namespace mlv::scan {
namespace {

using namespace testing;

std::string describe(const ScanReport& report) {
  std::string text = std::string(verdict_name(report.verdict)) + ":";
  for (const auto& finding : report.findings) {
    text += "\n  " + std::string(severity_name(finding.severity)) + " " + finding.callable +
            " at " + std::to_string(finding.offset) + ": " + finding.reason;
  }
  return text;
}

// A protocol 2 GLOBAL opcode.
std::string global(const std::string& module, const std::string& name) {
  return "c" + module + "\n" + name + "\n";
}

// A protocol 4 STACK_GLOBAL of two constant strings.
std::string stack_global(const std::string& module, const std::string& name) {
  return short_unicode(module) + short_unicode(name) + "\x93";
}

TEST(ScanJudgement, AttrgetterImportedIntoAnAllowedModuleAndTheOsModuleReExported) {
  // attrgetter("system")(sklearn.ensemble._forest.os)("echo pwned"): both names sat under an
  // allowed package prefix; only the last call, of a value made while loading, was suspicious.
  const std::string bytes = "\x80\x02" + global("sklearn.metrics._scorer", "attrgetter") +
                            "(Vsystem\ntR(" + global("sklearn.ensemble._forest", "os") +
                            "tR(Vecho pwned\ntR.";
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  const auto* attrgetter = find(report, "sklearn.metrics._scorer.attrgetter");
  ASSERT_NE(attrgetter, nullptr) << describe(report);
  EXPECT_EQ(attrgetter->severity, Severity::unsafe);
  EXPECT_EQ(attrgetter->reason, "dynamic attribute access");
  const auto* os = find(report, "sklearn.ensemble._forest.os");
  ASSERT_NE(os, nullptr) << describe(report);
  EXPECT_EQ(os->severity, Severity::unsafe);
  EXPECT_EQ(os->reason, "process execution");
}

TEST(ScanJudgement, ModulesReachedThroughAModulePath) {
  // six.moves.builtins is the builtins module: its eval is eval.
  const auto report = scan_bytes("\x80\x04" + stack_global("six.moves.builtins", "eval") +
                                 short_unicode("1") + "\x85R.");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].reason, "code evaluation or compilation");
}

TEST(ScanJudgement, AllowedFunctionsThatCallOrGetattrTheirArguments) {
  struct Case {
    const char* module;
    const char* name;
  };
  for (const auto& c :
       {Case{"sklearn.metrics._scorer", "_cached_call"},
        Case{"torch._tensor", "_rebuild_from_type"}, Case{"torch.nn.utils.rnn", "bind"}}) {
    const std::string bytes = "\x80\x02" + global(c.module, c.name) + "(NNVsystem\ntR.";
    const auto report = scan_bytes(bytes);
    EXPECT_EQ(report.verdict, Verdict::unsafe) << c.module << "." << c.name << describe(report);
    const auto* finding = find(report, std::string(c.module) + "." + c.name);
    ASSERT_NE(finding, nullptr) << describe(report);
    EXPECT_EQ(finding->offset, bytes.size() - 2) << c.name; // the REDUCE
  }
}

TEST(ScanJudgement, NumpyRandomStateCtorOnlyWithNumpysOwnBitGeneratorCtor) {
  const std::string ctor = global("numpy.random._pickle", "__randomstate_ctor");
  // What numpy writes: ("MT19937", __bit_generator_ctor).
  const std::string benign = "\x80\x02" + ctor + "(VMT19937\n" +
                             global("numpy.random._pickle", "__bit_generator_ctor") + "tR.";
  EXPECT_EQ(scan_bytes(benign).verdict, Verdict::clean) << describe(scan_bytes(benign));
  // A constructor made while loading (here an OrderedDict; anything callable would be called).
  for (const auto* function : {"__randomstate_ctor", "__generator_ctor"}) {
    const std::string hostile = "\x80\x02" + global("numpy.random._pickle", function) +
                                "(Vecho pwned\n" + global("collections", "OrderedDict") + ")RtR.";
    const auto report = scan_bytes(hostile);
    EXPECT_EQ(report.verdict, Verdict::unsafe) << function << describe(report);
    const auto* finding = find(report, std::string("numpy.random._pickle.") + function);
    ASSERT_NE(finding, nullptr) << describe(report);
    EXPECT_EQ(finding->offset, hostile.size() - 2);
    EXPECT_NE(finding->reason.find("bit_generator_ctor"), std::string::npos) << finding->reason;
  }
}

TEST(ScanJudgement, BitGeneratorCtorCallsAClassItIsGiven) {
  // numpy 2 pickles name the bit generator's class; a value made while loading is not named.
  const std::string ctor = global("numpy.random._pickle", "__bit_generator_ctor");
  const std::string named =
      "\x80\x02" + ctor + "(" + global("numpy.random._pcg64", "PCG64") + "tR.";
  EXPECT_EQ(scan_bytes(named).verdict, Verdict::clean) << describe(scan_bytes(named));
  const std::string made = "\x80\x02" + ctor + "(" + global("collections", "OrderedDict") + ")RtR.";
  EXPECT_EQ(scan_bytes(made).verdict, Verdict::unsafe) << describe(scan_bytes(made));
}

TEST(ScanJudgement, RebuildFromTypeV2AsTorchsWeightsOnlyUnpicklerAllowsIt) {
  const std::string rebuild = global("torch._tensor", "_rebuild_from_type_v2");
  // What Tensor.__reduce_ex__ writes: a rebuild function and a tensor class, both named.
  const std::string benign = "\x80\x02" + rebuild + "(" +
                             global("torch._utils", "_rebuild_tensor_v2") +
                             global("torch.nn.parameter", "Parameter") + ")}tR.";
  EXPECT_EQ(scan_bytes(benign).verdict, Verdict::clean) << describe(scan_bytes(benign));
  // func made while loading: _rebuild_from_type_v2 calls it.
  const std::string hostile = "\x80\x02" + rebuild + "(" + global("collections", "OrderedDict") +
                              ")R" + global("torch", "Tensor") + ")}tR.";
  const auto report = scan_bytes(hostile);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  EXPECT_NE(find(report, "torch._tensor._rebuild_from_type_v2"), nullptr) << describe(report);
}

TEST(ScanJudgement, ReconstructorsNeedANamedClass) {
  // copyreg._reconstructor and numpy's _reconstruct call __new__ of the class they are given.
  const std::string named = "\x80\x02" + global("copy_reg", "_reconstructor") + "(" +
                            global("collections", "OrderedDict") + global("__builtin__", "object") +
                            "NtR.";
  EXPECT_EQ(scan_bytes(named).verdict, Verdict::clean) << describe(scan_bytes(named));
  const std::string made = "\x80\x02" + global("copy_reg", "_reconstructor") + "(" +
                           global("collections", "OrderedDict") + ")R" +
                           global("__builtin__", "object") + "NtR.";
  auto report = scan_bytes(made);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  EXPECT_NE(find(report, "copyreg._reconstructor"), nullptr) << describe(report);

  const std::string array = "\x80\x02" + global("numpy.core.multiarray", "_reconstruct") + "(" +
                            global("collections", "OrderedDict") +
                            ")RK\x00\x85"
                            "C\x01" +
                            "btR.";
  report = scan_bytes(array);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

TEST(ScanJudgement, ArgumentsTheScannerCannotSeeAreNotCleared) {
  // A memo slot never written stands for a value the scanner does not know (as values past its
  // budget do): the call is not cleared, but not called unsafe either.
  const std::string bytes = "\x80\x02" + global("copy_reg", "_reconstructor") + "(" + binget(9) +
                            global("__builtin__", "object") + "NtR.";
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.verdict, Verdict::suspicious) << describe(report);
  ASSERT_NE(find(report, "copyreg._reconstructor"), nullptr) << describe(report);
}

TEST(ScanJudgement, CodecsEncodeNeedsAConstantEncoding) {
  const std::string constant = "\x80\x02" + global("_codecs", "encode") + "(Vabc\nVlatin1\ntR.";
  EXPECT_EQ(scan_bytes(constant).verdict, Verdict::clean) << describe(scan_bytes(constant));
  const std::string computed = "\x80\x02" + global("_codecs", "encode") + "(Vabc\n" +
                               global("collections", "OrderedDict") + ")RtR.";
  EXPECT_EQ(scan_bytes(computed).verdict, Verdict::unsafe) << describe(scan_bytes(computed));
}

TEST(ScanJudgement, LoadFromBytesOfBytesMadeWhileLoading) {
  // The bytes are what a call returns while loading: torch.load would run them, and they cannot
  // be scanned.
  const std::string bytes = "\x80\x02" + global("torch.storage", "_load_from_bytes") +
                            global("collections", "OrderedDict") + ")R\x85R.";
  const auto report = scan_bytes(bytes);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  const auto* finding = find(report, "torch.storage._load_from_bytes");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_EQ(finding->offset, bytes.size() - 2);
}

TEST(ScanJudgement, BuildOrSetitemOnAModuleOrClass) {
  // BUILD with slot state on a class: setattr(BaseEstimator, "__reduce_ex__", ...), so that
  // later pickling or loading of an allowed name runs something else.
  const std::string build =
      "\x80\x02" + global("sklearn.base", "BaseEstimator") + "(N}Vattr\nNst" + "b.";
  auto report = scan_bytes(build);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  auto* finding = find(report, "sklearn.base.BaseEstimator");
  ASSERT_NE(finding, nullptr) << describe(report);
  EXPECT_EQ(finding->offset, build.size() - 2);
  EXPECT_NE(finding->reason.find("BUILD"), std::string::npos);

  const std::string setitem = "\x80\x02" + global("collections", "OrderedDict") + "Vkey\nNs.";
  report = scan_bytes(setitem);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);

  // BUILD on an instance (what every pickle does) is fine.
  const std::string instance = "\x80\x02" + global("collections", "OrderedDict") + ")R}b.";
  EXPECT_EQ(scan_bytes(instance).verdict, Verdict::clean) << describe(scan_bytes(instance));
}

TEST(ScanJudgement, NamesComputedWhileLoading) {
  // STACK_GLOBAL of strings made by calls: nothing to rate, so the file is not cleared.
  const std::string computed = "\x80\x04" + global("collections", "OrderedDict") + ")R" +
                               global("collections", "OrderedDict") + ")R\x93)R.";
  auto report = scan_bytes(computed);
  EXPECT_EQ(report.verdict, Verdict::suspicious) << describe(report);
  ASSERT_NE(find(report, "?.?"), nullptr) << describe(report);
  EXPECT_NE(find(report, "?.?")->reason.find("computed while loading"), std::string::npos);
  // ... but a dangerous function name stays unsafe whatever module is computed.
  const std::string system = "\x80\x04" + global("collections", "OrderedDict") + ")R" +
                             short_unicode("system") + "\x93)R.";
  report = scan_bytes(system);
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
}

TEST(ScanJudgement, TextThatReadsAsOpcodesIsNotJudgedBySegments) {
  // A text file starting with 'c' is run by an unpickler as GLOBAL "hecklist: all open" "run"
  // ...: no import finds such a name, so it is not judged by the dangerous names, nor changed.
  auto report = scan_bytes("checklist: all open\nrun\nNa\nfinish the report\n");
  EXPECT_EQ(report.verdict, Verdict::clean) << describe(report);
  // A test report whose second line walks through "code" (a module on the deny-list) as text.
  report = scan_bytes("compiler/jvmci/Test.java passed: 4\njdk.vm.ci.code.test/src\nNR.");
  EXPECT_EQ(report.verdict, Verdict::clean) << describe(report);
  // Names an import could find are judged there too: "N0" before a payload.
  report = scan_bytes("N0" + global("sklearn.metrics._scorer", "attrgetter") + "(Vsystem\ntR.");
  EXPECT_EQ(report.verdict, Verdict::unsafe) << describe(report);
  // ... and a call of a name outside both lists is not cleared there either.
  report = scan_bytes("N0" + global("mypackage.tools", "deploy") + "(Vx\ntR.");
  EXPECT_EQ(report.verdict, Verdict::suspicious) << describe(report);
  ASSERT_NE(find(report, "mypackage.tools.deploy"), nullptr) << describe(report);
}

} // namespace
} // namespace mlv::scan
