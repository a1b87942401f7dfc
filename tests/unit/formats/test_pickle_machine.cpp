// The pickle opcode machine: every opcode family decoded on a symbolic stack and memo, callables
// resolved through both, nothing ever loaded. Streams are written opcode by opcode here.

#include "test_helpers.hpp"

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/byte_stream.hpp>
#include <mlv/formats/decompress.hpp>
#include <mlv/formats/joblib_array.hpp>
#include <mlv/formats/pickle_machine.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mlv::formats {
namespace {

using testing::le;
using namespace std::string_literals;

// What a run reported, in order.
struct Recorder : PickleHooks {
  std::vector<std::string> globals;
  std::vector<std::pair<std::string, std::uint64_t>> calls; // callable, offset
  std::vector<std::string> persistent_ids;
  std::vector<std::uint32_t> extensions;

  void on_global(PickleValue& global) override { globals.push_back(global.dotted_name()); }
  void on_call(const PickleValue& callable,
               const PickleValue&,
               const PickleValue&,
               std::uint64_t offset) override {
    calls.emplace_back(callable.kind == PickleValue::Kind::global ? callable.dotted_name() : "?",
                       offset);
  }
  void on_persistent_id(const PickleValue& pid, std::uint64_t) override {
    const PickleValue* key = pid.item(2);
    persistent_ids.push_back(key != nullptr ? key->text : pid.text);
  }
  void on_extension(std::uint32_t code, std::uint64_t) override { extensions.push_back(code); }
};

struct Result {
  PickleRun run;
  Recorder hooks;
  std::uint64_t offset_after = 0;
};

Result run_bytes(const std::string& bytes) {
  MemorySource source(bytes, "test.pkl");
  SourceStream stream(source);
  PickleInput input(stream);
  Result result;
  result.run = run_pickle(input, result.hooks);
  result.offset_after = input.offset();
  return result;
}

// Opcode helpers (protocol 2+ binary forms).
std::string short_unicode(const std::string& text) {
  return "\x8c" + le(text.size(), 1) + text;
}
std::string binunicode(const std::string& text) {
  return "X" + le(text.size(), 4) + text;
}
std::string binput(int index) {
  return "q" + le(static_cast<std::uint64_t>(index), 1);
}
std::string binget(int index) {
  return "h" + le(static_cast<std::uint64_t>(index), 1);
}

TEST(PickleMachine, GlobalReduceProtocol2) {
  // pickle.dumps of a class whose __reduce__ returns (os.system, ("echo pwned",)), protocol 2.
  const std::string bytes = "\x80\x02"
                            "cposix\nsystem\n"
                            "q\x00"s +
                            binunicode("echo pwned") + "q\x01\x85q\x02Rq\x03.";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  EXPECT_EQ(result.run.protocol, 2);
  EXPECT_EQ(result.hooks.globals, std::vector<std::string>{"posix.system"});
  ASSERT_EQ(result.hooks.calls.size(), 1u);
  EXPECT_EQ(result.hooks.calls[0].first, "posix.system");
  EXPECT_EQ(result.hooks.calls[0].second, bytes.find('R'));
  EXPECT_EQ(builder_names(*result.run.root), std::vector<std::string>{"posix.system"});
}

TEST(PickleMachine, GlobalFetchedFromMemoBeforeReduce) {
  // The callable is stored with BINPUT, buried under other values, and fetched with BINGET.
  const std::string bytes = "\x80\x02"
                            "cos\nsystem\n" +
                            binput(7) + "0" + "N0" + binget(7) + short_unicode("id") + "\x85" +
                            "R.";
  const auto result = run_bytes(bytes);
  ASSERT_EQ(result.hooks.calls.size(), 1u);
  EXPECT_EQ(result.hooks.calls[0].first, "os.system");
  EXPECT_EQ(result.hooks.calls[0].second, bytes.size() - 2);
}

TEST(PickleMachine, StackGlobalFromMemoizedStrings) {
  // Protocol 4: the module and name strings are memoized early and fetched for STACK_GLOBAL.
  const std::string bytes = "\x80\x04\x95" + le(0, 8) + short_unicode("builtins") + "\x94" +
                            short_unicode("eval") + "\x94" + "00" + binget(0) + binget(1) + "\x93" +
                            short_unicode("1+1") + "\x85" + "R.";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  EXPECT_EQ(result.run.protocol, 4);
  EXPECT_EQ(result.hooks.globals, std::vector<std::string>{"builtins.eval"});
  ASSERT_EQ(result.hooks.calls.size(), 1u);
  EXPECT_EQ(result.hooks.calls[0].first, "builtins.eval");
}

TEST(PickleMachine, InstAndObj) {
  // INST names the class inline and takes its arguments from the mark; OBJ takes the class
  // from the mark too.
  const std::string inst = "(S'ls'\nisubprocess\ncheck_output\n.";
  auto result = run_bytes(inst);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  EXPECT_EQ(result.run.protocol, 0);
  ASSERT_EQ(result.hooks.calls.size(), 1u);
  EXPECT_EQ(result.hooks.calls[0].first, "subprocess.check_output");
  EXPECT_EQ(result.hooks.calls[0].second, inst.find('i'));

  const std::string obj = "(cbuiltins\nexec\nS'print(1)'\no.";
  result = run_bytes(obj);
  ASSERT_EQ(result.hooks.calls.size(), 1u);
  EXPECT_EQ(result.hooks.calls[0].first, "builtins.exec");
  EXPECT_EQ(result.hooks.calls[0].second, obj.find('o'));
  EXPECT_EQ(result.run.protocol, 1); // OBJ is a protocol 1 opcode
}

TEST(PickleMachine, NewobjAndNewobjEx) {
  const std::string bytes = "\x80\x04" + short_unicode("collections") +
                            short_unicode("OrderedDict") + "\x93" + ")" + "\x81" + "0" +
                            short_unicode("runpy") + short_unicode("_run_code") + "\x93" + ")" +
                            "}" + "\x92" + ".";
  const auto result = run_bytes(bytes);
  ASSERT_EQ(result.hooks.calls.size(), 2u);
  EXPECT_EQ(result.hooks.calls[0].first, "collections.OrderedDict");
  EXPECT_EQ(result.hooks.calls[1].first, "runpy._run_code");
  EXPECT_EQ(result.hooks.calls[1].second, bytes.size() - 2);
}

TEST(PickleMachine, Protocol0Text) {
  // Protocol 0 as Python writes it: GLOBAL, PUT/GET by decimal lines, STRING and UNICODE lines.
  const std::string bytes = "ccopy_reg\n_reconstructor\np0\n(cmymodule\nModel\np1\n"
                            "c__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\nVname\np6\nS'ab\\x63'\n"
                            "p7\nsb.";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  EXPECT_EQ(result.run.protocol, 0);
  EXPECT_EQ(result.hooks.globals,
            (std::vector<std::string>{"copy_reg._reconstructor", "mymodule.Model",
                                      "__builtin__.object"}));
  // The root is an instance of mymodule.Model made by copy_reg._reconstructor.
  EXPECT_EQ(builder_names(*result.run.root), std::vector<std::string>{"mymodule.Model"});
  ASSERT_NE(result.run.root->state, nullptr);
  const PickleValue* name = result.run.root->state->get("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->text, "abc");
}

TEST(PickleMachine, ScalarsAndContainers) {
  // Integers of every width, floats, None and booleans, lists, dicts, sets and frozensets.
  const std::string bytes = "\x80\x04"
                            "("
                            "("
                            "K\x05"
                            "M\x01\x02"
                            "J\xff\xff\xff\xff"
                            "\x8a\x02\x00\x80"s +
                            "\x8b\x01\x00\x00\x00\x07"s + "G" + std::string(8, '\0') +
                            "N\x88\x89"
                            "I42\nL7L\nF1.5\n"
                            "l"
                            "]"
                            "(K\x01"
                            "e"
                            "}"
                            "(K\x01K\x02u"
                            "\x8f(K\x03\x90"
                            "(K\x04\x91"
                            "t"
                            ".";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  const PickleValue& root = *result.run.root;
  ASSERT_EQ(root.kind, PickleValue::Kind::tuple);
  ASSERT_EQ(root.items.size(), 5u);
  const PickleValue& list = *root.items[0];
  ASSERT_EQ(list.kind, PickleValue::Kind::list);
  ASSERT_EQ(list.items.size(), 12u);
  EXPECT_EQ(list.items[0]->integer, 5);
  EXPECT_EQ(list.items[1]->integer, 0x0201);
  EXPECT_EQ(list.items[2]->integer, -1);
  EXPECT_EQ(list.items[3]->integer, -32768);
  EXPECT_EQ(list.items[4]->integer, 7);
  EXPECT_EQ(list.items[6]->kind, PickleValue::Kind::none);
  EXPECT_EQ(list.items[7]->integer, 1);
  EXPECT_EQ(list.items[8]->integer, 0);
  EXPECT_EQ(list.items[9]->integer, 42);
  EXPECT_EQ(list.items[10]->integer, 7);
  EXPECT_EQ(root.items[1]->kind, PickleValue::Kind::list);
  EXPECT_EQ(root.items[1]->items.size(), 1u);
  ASSERT_EQ(root.items[2]->kind, PickleValue::Kind::dict);
  EXPECT_EQ(root.items[2]->items.size(), 2u);
  EXPECT_EQ(root.items[3]->kind, PickleValue::Kind::set);
  EXPECT_EQ(root.items[4]->kind, PickleValue::Kind::set);
  EXPECT_EQ(root.items[4]->items.size(), 1u);
}

TEST(PickleMachine, BytesAndPersistentIdsAndExtensions) {
  const std::string bytes = "\x80\x05"
                            "C\x03"
                            "abc"
                            "B" +
                            le(2, 4) + "de" + "\x8e" + le(1, 8) + "f" + "\x96" + le(1, 8) + "g" +
                            "\x97\x98" + "0" + "(X\x07\x00\x00\x00storageN"s + short_unicode("0") +
                            "t" + "Q" + "Pkey\n" + "\x82\x07" + "\x83\x01\x02" +
                            "\x84\x01\x00\x00\x00"s + "(" + "1" + "2" + "\x86" + ".";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  EXPECT_EQ(result.run.protocol, 5);
  EXPECT_EQ(result.hooks.persistent_ids, (std::vector<std::string>{"0", "key"}));
  EXPECT_EQ(result.hooks.extensions, (std::vector<std::uint32_t>{7, 0x0201, 1}));
}

TEST(PickleMachine, StreamBrokenAfterPayload) {
  // Everything up to the first byte that is no opcode counts, as an unpickler runs it.
  const std::string bytes = "\x80\x02"
                            "cos\nsystem\n" +
                            short_unicode("id") + "\x85R" + "\xff\xff";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::invalid_opcode);
  EXPECT_EQ(result.run.end_offset, bytes.size() - 2);
  ASSERT_EQ(result.hooks.calls.size(), 1u);
  EXPECT_EQ(result.hooks.calls[0].first, "os.system");

  const auto truncated = run_bytes("\x80\x02"
                                   "cos\nsys");
  EXPECT_EQ(truncated.run.end, PickleRun::End::end_of_data);
  EXPECT_TRUE(truncated.hooks.globals.empty());
}

TEST(PickleMachine, StackFaultsDoNotStopTheRun) {
  // REDUCE on an empty stack, a BINGET of a slot never set, and a POP past a mark: an
  // unpickler fails at the first; the machine goes on and still sees the later global.
  const std::string bytes = "\x80\x02R" + binget(9) + "(" + "00" + "cnt\nsystem\nN\x85R.";
  const auto result = run_bytes(bytes);
  EXPECT_EQ(result.run.end, PickleRun::End::stop);
  EXPECT_EQ(result.hooks.globals, std::vector<std::string>{"nt.system"});
}

TEST(PickleMachine, LatinOneBytesOfProtocol2AreDecoded) {
  // Protocol 2 pickles bytes as _codecs.encode(text, "latin1"); the machine knows the result.
  const std::string bytes = "\x80\x02"
                            "c_codecs\nencode\n" +
                            binunicode("\xc2\x80\x02N.") + binunicode("latin1") + "\x86R.";
  const auto result = run_bytes(bytes);
  ASSERT_EQ(result.run.root->kind, PickleValue::Kind::bytes);
  EXPECT_EQ(result.run.root->text, std::string("\x80\x02N.", 4));
}

TEST(PickleMachine, SummaryOfRealFiles) {
  struct Case {
    const char* file;
    const char* root;
    int protocol;
  };
  for (const auto& c :
       {Case{"rf_small.joblib", "sklearn.ensemble._forest.RandomForestClassifier", 4},
        Case{"pipeline_p4.pkl", "sklearn.pipeline.Pipeline", 4},
        Case{"pipeline_p0.pkl", "sklearn.pipeline.Pipeline", 0}}) {
    FileSource source(std::string(MLV_FIXTURES_DIR) + "/" + c.file);
    SourceStream stream(source);
    const auto summary = summarize_pickle(stream);
    EXPECT_TRUE(summary.complete) << c.file;
    EXPECT_EQ(summary.protocol, c.protocol) << c.file;
    EXPECT_EQ(summary.root_classes, std::vector<std::string>{c.root}) << c.file;
    EXPECT_FALSE(summary.globals.empty()) << c.file;
  }
}

TEST(PickleMachine, SummaryOfACompressedJoblibFile) {
  // joblib.dump(compress=3): the same pickle and inline arrays, zlib-compressed.
  FileSource source(std::string(MLV_FIXTURES_DIR) + "/rf_small_zlib3.joblib");
  const auto stream = open_decompressed(std::make_unique<SourceStream>(source), Compression::zlib);
  const auto summary = summarize_pickle(*stream);
  EXPECT_TRUE(summary.complete);
  EXPECT_EQ(summary.root_classes,
            std::vector<std::string>{"sklearn.ensemble._forest.RandomForestClassifier"});
  EXPECT_NE(std::find(summary.globals.begin(), summary.globals.end(),
                      "joblib.numpy_pickle.NumpyArrayWrapper"),
            summary.globals.end());
}

TEST(PickleMachine, JoblibArraysAreSteppedOver) {
  // rf_small.joblib holds dozens of arrays inline; reaching STOP at the file's very end means
  // each one was stepped over exactly.
  FileSource source(std::string(MLV_FIXTURES_DIR) + "/rf_small.joblib");
  SourceStream stream(source);
  PickleInput input(stream);
  struct Hooks : PickleHooks {
    int arrays = 0;
    void after_build(PickleValue& object, PickleInput& in, std::uint64_t frame_left) override {
      if (step_over_joblib_array(object, in, frame_left, *this, {})) {
        ++arrays;
      }
    }
  } hooks;
  const auto run = run_pickle(input, hooks);
  EXPECT_EQ(run.end, PickleRun::End::stop);
  EXPECT_EQ(run.end_offset + 1, source.size());
  EXPECT_GT(hooks.arrays, 10);
}

} // namespace
} // namespace mlv::formats
