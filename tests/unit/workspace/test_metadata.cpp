#include "../temp_dir.hpp"

#include <mlv/pointer/meta_values.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/metadata.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

using mlv::workspace::read_metadata_file;

class MetadataFileTest : public mlv::test::TempDirTest {
protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = root_ / name;
    mlv::util::write_file_atomic(path, text);
    return path;
  }

  // Expects Error(bad_input) whose message names the file and `line`.
  void expect_bad(const std::string& name, const std::string& text, int line) {
    const auto path = write(name, text);
    try {
      (void)read_metadata_file(path, "--metrics-file");
      FAIL() << "accepted " << text;
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
      const std::string message = error.what();
      EXPECT_NE(message.find(path.string() + ":" + std::to_string(line) + ":"), std::string::npos)
          << message;
    }
  }
};

TEST_F(MetadataFileTest, JsonKeepsNumbersNestingAndStrings) {
  const auto map = read_metadata_file(
      write("m.json", "{\n\t\"accuracy\": 0.93,\n\t\"eval\": {\"f1\": 0.88, \"n\": 1000},\n"
                      "\t\"version\": \"1.3\",\n\t\"per_class\": [0.9, 0.8]\n}\n"),
      "--metrics-file");
  EXPECT_DOUBLE_EQ(*mlv::pointer::number_value(map["accuracy"]), 0.93);
  EXPECT_DOUBLE_EQ(*mlv::pointer::number_value(map["eval"]["n"]), 1000.0);
  EXPECT_EQ(mlv::pointer::scalar_type(map["version"]), mlv::pointer::ScalarType::string);
  EXPECT_EQ(map["per_class"].size(), 2u);
  // Maps are written as block YAML in the pointer, short lists in one line.
  YAML::Emitter out;
  out << map;
  EXPECT_EQ(std::string(out.c_str()),
            "accuracy: 0.93\neval:\n  f1: 0.88\n  n: 1000\nversion: 1.3\nper_class: [0.9, 0.8]");
}

TEST_F(MetadataFileTest, YamlToo) {
  const auto map = read_metadata_file(
      write("p.yaml", "lr: 0.01\nlayers:\n  - 64\n  - 32\nname: resnet\n"), "--params-file");
  EXPECT_EQ(map["name"].Scalar(), "resnet");
  EXPECT_EQ(map["layers"][1].Scalar(), "32");
}

TEST_F(MetadataFileTest, BadFilesNameTheFileAndLine) {
  expect_bad("broken.json", "{\n  \"a\": 1,\n  \"b\": 2\n}}\n", 4);
  expect_bad("list.json", "[1, 2]\n", 1);
  expect_bad("scalar.yaml", "\n\n0.93\n", 3);
  expect_bad("dupe.yaml", "a: 1\nb: 2\na: 3\n", 3);
  expect_bad("dupe-nested.json", "{\"x\": {\n\"k\": 1,\n\"k\": 2}}\n", 3);
  expect_bad("complex-key.yaml", "? [a, b]\n: 1\n", 1);
}

TEST_F(MetadataFileTest, EmptyMissingAndHugeFiles) {
  EXPECT_THROW((void)read_metadata_file(write("empty.json", ""), "--metrics-file"), mlv::Error);
  try {
    (void)read_metadata_file(root_ / "nope.json", "--metrics-file");
    FAIL();
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::not_found);
    EXPECT_NE(std::string(error.what()).find("nope.json"), std::string::npos);
  }
  try {
    (void)read_metadata_file(write("huge.yaml", "a: " + std::string(2 << 20, 'x') + "\n"),
                             "--params-file");
    FAIL();
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("1 MiB"), std::string::npos);
  }
}

TEST(MergedMeta, FilesReplaceTheirMapAndKeysGoOverThem) {
  const auto existing = YAML::Load("owner: alice\nmetrics:\n  stale: 1\n  accuracy: 0.5\n"
                                   "params:\n  lr: 0.1\nadded:\n  at: x\n");
  mlv::workspace::AddOptions options;
  options.metrics_file = YAML::Load("accuracy: 0.9\nf1: 0.8\n");
  options.metrics = {{"f1", "0.85"}};
  options.params = {{"epochs", "3"}};
  options.meta = {{"dataset", "v3"}};
  const auto meta = mlv::workspace::merged_meta(existing, options);
  EXPECT_FALSE(meta["metrics"]["stale"].IsDefined()) << "a metrics file is the whole record";
  EXPECT_EQ(meta["metrics"]["accuracy"].Scalar(), "0.9");
  EXPECT_EQ(meta["metrics"]["f1"].Scalar(), "0.85") << "--metric wins over the file";
  EXPECT_EQ(meta["params"]["lr"].Scalar(), "0.1") << "--param merges into what was there";
  EXPECT_EQ(meta["params"]["epochs"].Scalar(), "3");
  EXPECT_EQ(meta["owner"].Scalar(), "alice");
  EXPECT_EQ(meta["dataset"].Scalar(), "v3");
  EXPECT_EQ(meta["added"]["at"].Scalar(), "x") << "kept until the pointer changes";
  EXPECT_EQ(existing["metrics"]["stale"].Scalar(), "1") << "the input is not modified";

  options.meta = {{"added", "yesterday"}};
  EXPECT_THROW((void)mlv::workspace::merged_meta(existing, options), mlv::Error);
}

} // namespace
