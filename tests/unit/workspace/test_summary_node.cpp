// The pointer's `summary` map written from inspect's typed summary: what a reviewer reads.

#include <mlv/workspace/summary_node.hpp>

#include <gtest/gtest.h>

namespace mlv::workspace {
namespace {

std::string emitted(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return out.c_str();
}

TEST(SummaryNode, ScalarsAndFlowListsInTheSummarysOrder) {
  const std::vector<inspect::Field> summary = {
      {"ir_version", std::int64_t{8}},
      {"opsets", std::vector<std::string>{"ai.onnx 17", "ai.onnx.ml 3"}},
      {"shape", std::vector<std::int64_t>{3, 224}},
      {"arrays", std::uint64_t{2}},
      {"producer", std::string("pytorch")}};
  EXPECT_EQ(emitted(summary_node(summary)), "ir_version: 8\n"
                                            "opsets: [ai.onnx 17, ai.onnx.ml 3]\n"
                                            "shape: [3, 224]\n"
                                            "arrays: 2\n"
                                            "producer: pytorch");
}

TEST(SummaryNode, AnEmptySummaryIsNoKeyAtAll) {
  EXPECT_TRUE(summary_node({}).IsNull());
}

TEST(SummaryNode, LongListsArriveCutByInspect) {
  inspect::Inspection inspection;
  inspection.format = "pickle";
  for (int i = 0; i < 20; ++i) {
    inspection.classes.push_back("m.C" + std::to_string(i));
  }
  const auto node = summary_node(inspect::short_summary(inspection));
  ASSERT_EQ(node["classes"].size(), 17u);
  EXPECT_EQ(node["classes"][16].as<std::string>(), "... and 4 more");
}

} // namespace
} // namespace mlv::workspace
