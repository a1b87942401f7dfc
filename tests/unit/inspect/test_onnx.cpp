// ONNX models built with the protobuf wire format from onnx/onnx.proto's field numbers.

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>

#include <gtest/gtest.h>

namespace {

using namespace mlv::inspect;
using namespace mlv::inspect::testing;

constexpr std::uint64_t k_float = 1;
constexpr std::uint64_t k_int64 = 7;

std::string dim_value(std::uint64_t size) {
  return pb_bytes(1, pb_int(1, size));
}
std::string dim_param(const std::string& name) {
  return pb_bytes(1, pb_bytes(2, name));
}

// ValueInfoProto { name, type { tensor_type { elem_type, shape { dim... } } } }
std::string value_info(const std::string& name, std::uint64_t type, const std::string& dims) {
  return pb_bytes(1, name) + pb_bytes(2, pb_bytes(1, pb_int(1, type) + pb_bytes(2, dims)));
}

// TensorProto { dims (packed), data_type, name, raw_data }
std::string initializer(const std::string& name, std::uint64_t rows, std::uint64_t columns) {
  return pb_bytes(1, pb_varint(rows) + pb_varint(columns)) + pb_int(2, k_float) +
         pb_bytes(8, name) + pb_bytes(9, std::string(rows * columns * 4, '\0'));
}

// An IR version 3 model, where initializers are also listed as graph inputs.
std::string model() {
  const std::string graph =
      pb_bytes(1, pb_bytes(1, "x") + pb_bytes(1, "W") + pb_bytes(2, "y") + pb_bytes(4, "MatMul")) +
      pb_bytes(1, pb_bytes(1, "y") + pb_bytes(2, "z") + pb_bytes(4, "Softmax")) +
      pb_bytes(2, "classifier") + pb_bytes(5, initializer("W", 8, 3)) +
      pb_bytes(11, value_info("x", k_float, dim_param("batch") + dim_value(8))) +
      pb_bytes(11, value_info("W", k_float, dim_value(8) + dim_value(3))) +
      pb_bytes(12, value_info("z", k_float, dim_param("batch") + dim_value(3))) +
      pb_bytes(12, value_info("label", k_int64, ""));
  return pb_int(1, 3) + pb_bytes(2, "skl2onnx") + pb_bytes(3, "1.16.0") +
         pb_bytes(4, "ai.example") + pb_int(5, 7) + pb_bytes(7, graph) +
         pb_bytes(8, pb_bytes(1, "") + pb_int(2, 9)) +
         pb_bytes(8, pb_bytes(1, "ai.onnx.ml") + pb_int(2, 1)) +
         pb_bytes(14, pb_bytes(1, "author") + pb_bytes(2, "unit test"));
}

TEST(Onnx, ModelFieldsGraphInputsOutputsAndInitializers) {
  const auto onnx = inspect_source(mlv::formats::MemorySource(model(), "m.onnx"), "m.onnx");
  EXPECT_EQ(onnx.format, "onnx");
  EXPECT_EQ(fact_number(onnx, "ir_version"), 3u);
  EXPECT_EQ(fact_text(onnx, "opsets"), "ai.onnx 9, ai.onnx.ml 1");
  EXPECT_EQ(fact_text(onnx, "producer"), "skl2onnx 1.16.0");
  EXPECT_EQ(fact_text(onnx, "domain"), "ai.example");
  EXPECT_EQ(fact_number(onnx, "model_version"), 7u);
  EXPECT_EQ(fact_text(onnx, "graph"), "classifier");
  EXPECT_EQ(fact_number(onnx, "nodes"), 2u);
  EXPECT_EQ(fact_text(onnx, "operators"), "MatMul, Softmax");
  EXPECT_EQ(fact_number(onnx, "parameters"), 24u);
  // W is an initializer, so not an input a caller feeds.
  EXPECT_EQ(fact_text(onnx, "inputs"), "x");
  ASSERT_EQ(onnx.inputs.size(), 1u);
  EXPECT_EQ(shape_text(onnx.inputs[0].shape), "[batch, 8]");
  EXPECT_EQ(fact_text(onnx, "outputs"), "z, label");
  EXPECT_EQ(onnx.outputs[1].dtype, "int64");
  ASSERT_EQ(onnx.tensors.size(), 1u);
  EXPECT_EQ(onnx.tensors[0].name, "W");
  EXPECT_EQ(onnx.tensors[0].bytes, 96u);
  ASSERT_EQ(onnx.metadata.size(), 1u);
  EXPECT_EQ(onnx.metadata[0].key, "author");

  const auto summary = short_summary(onnx);
  EXPECT_EQ(summary_text(summary, "ir_version"), "3");
  EXPECT_EQ(summary_list(summary, "opsets")[1], "ai.onnx.ml 1");
  EXPECT_EQ(summary_list(summary, "inputs")[0], "x");
  EXPECT_EQ(summary_list(summary, "outputs").size(), 2u);
}

TEST(Onnx, TruncatedModelsAreNeverReportedWhole) {
  // Protobuf has no end marker, but a cut inside the graph leaves a field longer than the file.
  const std::string full = model();
  const std::size_t graph_end = full.find(pb_bytes(8, pb_bytes(1, "") + pb_int(2, 9)));
  for (std::size_t cut = 40; cut < graph_end; cut += 11) {
    EXPECT_EQ(
        inspect_source(mlv::formats::MemorySource(full.substr(0, cut), "cut.onnx"), "cut.onnx")
            .format,
        "unknown")
        << cut;
  }
}

TEST(Onnx, HostileFieldsInsideTheGraphAreBadInputNamingTheFile) {
  // A node that claims more bytes than its graph holds.
  const std::string long_node = pb_bytes(2, "g") + pb_varint(1 << 3 | 2) + pb_varint(1000) + "abc";
  const std::string claims = pb_int(1, 8) + pb_bytes(7, long_node) + pb_bytes(8, pb_int(2, 17));
  EXPECT_NE(bad_input_message(claims, "claims.onnx").find("claims 1000 bytes"), std::string::npos);
  // A varint of more than ten bytes.
  const std::string graph = pb_bytes(2, "g") + pb_varint(1 << 3) + std::string(12, '\xff');
  const std::string varint = pb_int(1, 8) + pb_bytes(7, graph) + pb_bytes(8, pb_int(2, 17));
  EXPECT_NE(bad_input_message(varint, "varint.onnx").find("varint"), std::string::npos);
  // A packed list of dimensions of a megabyte and more.
  const std::string dims = pb_bytes(1, std::string((1 << 20) + 1, '\x01')) + pb_bytes(8, "W");
  const std::string packed =
      pb_int(1, 8) + pb_bytes(7, pb_bytes(5, dims)) + pb_bytes(8, pb_int(2, 17));
  bad_input_message(packed, "packed.onnx");
}

} // namespace
