// TensorFlow SavedModel directories: saved_model.pb built with the protobuf wire format from
// saved_model.proto and meta_graph.proto, variables/ shards beside it.

#include "../temp_dir.hpp"
#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using namespace mlv::inspect;
using namespace mlv::inspect::testing;

constexpr std::uint64_t k_dt_float = 1;
constexpr std::uint64_t k_dt_int64 = 9;

// TensorInfo { name, dtype, tensor_shape { dim { size } ... } }; -1 is an unknown size.
std::string
tensor_info(const std::string& name, std::uint64_t dtype, const std::vector<std::int64_t>& dims) {
  std::string shape;
  for (const auto size : dims) {
    shape += pb_bytes(2, pb_int(1, static_cast<std::uint64_t>(size)));
  }
  return pb_bytes(1, name) + pb_int(2, dtype) + pb_bytes(3, shape);
}

// A map<string, Message> entry.
std::string entry(const std::string& key, const std::string& value) {
  return pb_bytes(1, key) + pb_bytes(2, value);
}

std::string saved_model_pb() {
  const std::string serving =
      pb_bytes(1,
               entry("images", tensor_info("serving_default_images:0", k_dt_float, {-1, 28, 28}))) +
      pb_bytes(2, entry("probabilities",
                        tensor_info("StatefulPartitionedCall:0", k_dt_float, {-1, 10}))) +
      pb_bytes(2, entry("label", tensor_info("StatefulPartitionedCall:1", k_dt_int64, {-1}))) +
      pb_bytes(3, "tensorflow/serving/predict");
  const std::string meta_info =
      pb_bytes(1, "") + pb_bytes(4, "serve") + pb_bytes(5, "2.15.0") + pb_bytes(6, "v2.15.0-rc1");
  const std::string graph = pb_bytes(1, pb_bytes(1, "x")) + pb_bytes(1, pb_bytes(1, "y")) +
                            pb_bytes(2, pb_bytes(1, "")) + pb_bytes(4, pb_int(1, 1));
  const std::string meta_graph = pb_bytes(1, meta_info) + pb_bytes(2, graph) +
                                 pb_bytes(5, entry("__saved_model_init_op", "")) +
                                 pb_bytes(5, entry("serving_default", serving));
  return pb_int(1, 1) + pb_bytes(2, meta_graph);
}

class SavedModelTest : public mlv::test::TempDirTest {};

TEST_F(SavedModelTest, TagsSignaturesAndTheServingSignaturesTensors) {
  const fs::path model = root_ / "export" / "1";
  fs::create_directories(model / "variables");
  fs::create_directories(model / "assets");
  write_bytes(model / "saved_model.pb", saved_model_pb());
  write_bytes(model / "fingerprint.pb", "\x08\x01");
  write_bytes(model / "variables" / "variables.index", "index");
  write_bytes(model / "variables" / "variables.data-00000-of-00002", std::string(1000, '\0'));
  write_bytes(model / "variables" / "variables.data-00001-of-00002", std::string(24, '\0'));
  write_bytes(model / "assets" / "vocab.txt", "a\nb\n");

  const auto saved = inspect_path(model);
  EXPECT_EQ(saved.format, "savedmodel");
  EXPECT_EQ(fact_number(saved, "schema_version"), 1u);
  EXPECT_EQ(fact_number(saved, "meta_graphs"), 1u);
  EXPECT_EQ(fact_text(saved, "tags"), "serve");
  EXPECT_EQ(fact_text(saved, "tensorflow_version"), "2.15.0");
  EXPECT_EQ(fact_text(saved, "signatures"), "__saved_model_init_op, serving_default");
  EXPECT_EQ(fact_number(saved, "graph_nodes"), 2u);
  EXPECT_EQ(fact_number(saved, "variable_shards"), 2u);
  EXPECT_EQ(fact_number(saved, "variable_bytes"), 1024u);
  EXPECT_EQ(fact_number(saved, "assets"), 1u);
  EXPECT_EQ(fact_text(saved, "fingerprint"), "true");
  ASSERT_EQ(saved.inputs.size(), 1u);
  EXPECT_EQ(saved.inputs[0].name, "images");
  EXPECT_EQ(saved.inputs[0].dtype, "float");
  EXPECT_EQ(shape_text(saved.inputs[0].shape), "[?, 28, 28]");
  ASSERT_EQ(saved.outputs.size(), 2u);
  EXPECT_EQ(saved.outputs[1].dtype, "int64");
  EXPECT_EQ(saved.size, fs::file_size(model / "saved_model.pb") + 2 + 5 + 1000 + 24 + 4);

  const auto summary = short_summary(saved);
  EXPECT_EQ(summary_list(summary, "tags")[0], "serve");
  EXPECT_EQ(summary_list(summary, "signatures")[1], "serving_default");
}

TEST_F(SavedModelTest, TextGraphsAreListedNotParsed) {
  fs::create_directories(root_ / "text");
  write_bytes(root_ / "text" / "saved_model.pbtxt", "saved_model_schema_version: 1\n");
  const auto saved = inspect_path(root_ / "text");
  EXPECT_EQ(saved.format, "savedmodel");
  EXPECT_EQ(fact_text(saved, "graph_format"), "text (saved_model.pbtxt, not parsed)");
  EXPECT_EQ(fact_number(saved, "variable_shards"), 0u);
}

TEST_F(SavedModelTest, DamagedGraphIsBadInputNamingTheFile) {
  fs::create_directories(root_ / "bad");
  const std::string graph = saved_model_pb();
  write_bytes(root_ / "bad" / "saved_model.pb", graph.substr(0, graph.size() / 2));
  try {
    inspect_path(root_ / "bad");
    FAIL() << "no error for a cut saved_model.pb";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("saved_model.pb"), std::string::npos);
  }
}

TEST_F(SavedModelTest, OtherFoldersAreUnknown) {
  fs::create_directories(root_ / "plain");
  write_bytes(root_ / "plain" / "a.bin", "abc");
  const auto folder = inspect_path(root_ / "plain");
  EXPECT_EQ(folder.format, "unknown");
  EXPECT_EQ(folder.size, 3u);
}

} // namespace
