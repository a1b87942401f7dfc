// Every real model file in shared/fixtures/models, inspected: the values asserted are what the
// libraries that wrote them record (fixtures README).

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/json_reader.hpp>

#include <gtest/gtest.h>

#include <random>

namespace {

namespace fs = std::filesystem;
using namespace mlv::inspect;
using namespace mlv::inspect::testing;

const fs::path k_fixtures = MLV_FIXTURES_DIR;

Inspection inspect_fixture(const std::string& name) {
  return inspect_path(k_fixtures / name);
}

std::vector<std::string> names(const std::vector<Tensor>& tensors) {
  std::vector<std::string> out;
  for (const auto& tensor : tensors) {
    out.push_back(tensor.name);
  }
  return out;
}

TEST(InspectFixtures, OnnxOpsetProducerInputsAndOutputs) {
  const auto onnx = inspect_fixture("mlp.onnx");
  EXPECT_EQ(onnx.format, "onnx");
  EXPECT_EQ(fact_text(onnx, "opsets"), "ai.onnx 13");
  EXPECT_EQ(fact_number(onnx, "ir_version"), 7u);
  EXPECT_EQ(fact_text(onnx, "producer"), "pytorch 1.13.0");
  EXPECT_EQ(fact_text(onnx, "operators"), "Gemm, Relu");
  ASSERT_EQ(onnx.inputs.size(), 1u);
  EXPECT_EQ(onnx.inputs[0].name, "x");
  EXPECT_EQ(onnx.inputs[0].dtype, "float");
  EXPECT_EQ(shape_text(onnx.inputs[0].shape), "[1, 16]");
  ASSERT_EQ(onnx.outputs.size(), 1u);
  EXPECT_EQ(onnx.outputs[0].name, "logits");
  EXPECT_EQ(shape_text(onnx.outputs[0].shape), "[1, 4]");
  // Two Linear layers, 16 -> 64 -> 4: weights and biases.
  EXPECT_EQ(names(onnx.tensors),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(fact_number(onnx, "parameters"), 16u * 64 + 64 + 64 * 4 + 4);
  EXPECT_EQ(onnx.tensors[0].bytes, 64u * 16 * 4);
}

TEST(InspectFixtures, NumpyDtypeAndShape) {
  const auto npy = inspect_fixture("weights.npy");
  EXPECT_EQ(npy.format, "numpy");
  EXPECT_EQ(fact_text(npy, "dtype"), "<f4");
  EXPECT_EQ(fact_text(npy, "shape"), "[32, 32]");
  EXPECT_EQ(fact_text(npy, "version"), "1.0");
  EXPECT_EQ(fact_number(npy, "data_bytes"), 32u * 32 * 4);

  const auto npz = inspect_fixture("weights.npz");
  EXPECT_EQ(npz.format, "numpy");
  EXPECT_EQ(fact_number(npz, "arrays"), 2u);
  ASSERT_EQ(names(npz.tensors), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(npz.tensors[0].dtype, "<i8");
  EXPECT_EQ(shape_text(npz.tensors[0].shape), "[10]");
  EXPECT_EQ(npz.tensors[1].dtype, "<f8");
  EXPECT_EQ(shape_text(npz.tensors[1].shape), "[3, 3]");
  EXPECT_EQ(npz.tensors[1].bytes, 9u * 8);
}

TEST(InspectFixtures, PyTorchZipArchiveAndRecords) {
  const auto torch = inspect_fixture("mlp_state_dict.pt");
  EXPECT_EQ(torch.format, "pytorch");
  EXPECT_EQ(fact_text(torch, "archive"), "mlp_state_dict");
  EXPECT_EQ(fact_number(torch, "tensor_records"), 4u);
  EXPECT_EQ(fact_number(torch, "record_bytes"), 4096u + 256 + 1024 + 16);
  EXPECT_EQ(fact_text(torch, "version"), "3");
  EXPECT_EQ(fact_number(torch, "pickle_protocol"), 2u);
  EXPECT_EQ(names(torch.tensors),
            (std::vector<std::string>{"data/0", "data/1", "data/2", "data/3"}));
  // From the walk of data.pkl: a state_dict is an OrderedDict.
  EXPECT_EQ(torch.classes, std::vector<std::string>{"collections.OrderedDict"});
}

TEST(InspectFixtures, PyTorchLegacyMagicProtocolAndByteOrder) {
  const auto legacy = inspect_fixture("mlp_state_dict_legacy.pt");
  EXPECT_EQ(legacy.format, "pytorch");
  EXPECT_EQ(fact_text(legacy, "magic_number"), "0x1950a86a20f9469cfc6c");
  EXPECT_EQ(fact_number(legacy, "protocol_version"), 1001u);
  EXPECT_EQ(fact_text(legacy, "byteorder"), "little");
  // The fourth pickle of the sequence is the object: a state dict.
  EXPECT_EQ(legacy.classes, std::vector<std::string>{"collections.OrderedDict"});
}

TEST(InspectFixtures, PickleProtocols) {
  EXPECT_EQ(fact_number(inspect_fixture("pipeline_p4.pkl"), "protocol"), 4u);
  EXPECT_EQ(fact_text(inspect_fixture("pipeline_p0.pkl"), "protocol"), "0/1");
}

TEST(InspectFixtures, JoblibCompressionAndProtocol) {
  const auto plain = inspect_fixture("rf_small.joblib");
  EXPECT_EQ(fact_text(plain, "compression"), "none");
  EXPECT_EQ(fact_number(plain, "protocol"), 4u);
  EXPECT_EQ(plain.classes,
            std::vector<std::string>{"sklearn.ensemble._forest.RandomForestClassifier"});
  ASSERT_FALSE(plain.arrays.empty()); // the walk lists joblib's inline arrays
  EXPECT_EQ(plain.arrays[0].dtype, "i8");
  EXPECT_EQ(plain.fact("pickle_note"), nullptr) << "read to its STOP";

  const auto zlib = inspect_fixture("rf_small_zlib3.joblib");
  EXPECT_EQ(zlib.format, "joblib");
  EXPECT_EQ(fact_text(zlib, "compression"), "zlib");
  EXPECT_EQ(fact_number(zlib, "protocol"), 4u); // read from the decompressed stream
  EXPECT_EQ(zlib.classes, plain.classes);
  EXPECT_EQ(zlib.arrays.size(), plain.arrays.size());
}

TEST(InspectFixtures, Hdf5SuperblockAndRootMembers) {
  const auto h5 = inspect_fixture("weights.h5");
  EXPECT_EQ(h5.format, "hdf5");
  EXPECT_EQ(fact_number(h5, "superblock_version"), 0u);
  // h5py.File(...).create_dataset("dense/kernel"): one group at the root.
  EXPECT_EQ(fact_text(h5, "root_members"), "dense");
  EXPECT_EQ(h5.fact("keras_version"), nullptr);
}

TEST(InspectFixtures, UnknownFormatsReportNothingButTheirSize) {
  for (const char* name : {"xgb_model.json", "xgb_model.ubj", "README.md"}) {
    const auto unknown = inspect_fixture(name);
    EXPECT_EQ(unknown.format, "unknown") << name;
    EXPECT_TRUE(unknown.facts.empty()) << name;
    EXPECT_EQ(unknown.size, fs::file_size(k_fixtures / name));
    EXPECT_TRUE(short_summary(unknown).empty()) << name;
  }
}

TEST(InspectFixtures, EveryFixtureGivesValidJson) {
  for (const auto& entry : fs::directory_iterator(k_fixtures)) {
    const auto inspection = inspect_path(entry.path());
    const auto json = mlv::util::parse_json(inspection_json(inspection));
    EXPECT_EQ(json.string_at("format"), inspection.format) << entry.path();
    EXPECT_EQ(json.unsigned_at("size"), inspection.size) << entry.path();
    ASSERT_NE(json.find("facts"), nullptr);
    EXPECT_EQ(json.find("facts")->members.size(), inspection.facts.size());
    EXPECT_EQ(json.find("tensors")->items.size(), inspection.tensors.size());
    // Pickle-based formats list their classes; the others have none.
    EXPECT_EQ(json.find("classes") != nullptr, !inspection.classes.empty()) << entry.path();
  }
}

TEST(InspectFixtures, DamagedFixturesGiveAReportOrBadInputNeverACrash) {
  std::mt19937 random(11);
  for (const auto& entry : fs::directory_iterator(k_fixtures)) {
    const std::string original = read_bytes(entry.path());
    for (int round = 0; round < 300; ++round) {
      std::string bytes = original;
      if (round % 10 == 9) {
        bytes.resize(random() % bytes.size()); // a truncated download
      }
      for (int hit = 0; hit < 4 && !bytes.empty(); ++hit) {
        const std::size_t span =
            round % 2 == 0 ? std::min<std::size_t>(bytes.size(), 256) : bytes.size();
        bytes[random() % span] = static_cast<char>(random());
      }
      try {
        const auto inspection = inspect_source(mlv::formats::MemorySource(bytes, "damaged"),
                                               entry.path().filename().string());
        inspection_json(inspection);
        short_summary(inspection);
      } catch (const mlv::Error& error) {
        EXPECT_EQ(error.kind(), mlv::Failure::invalid_input)
            << entry.path() << ": " << error.what();
        EXPECT_NE(std::string(error.what()).find("damaged"), std::string::npos) << error.what();
      }
    }
  }
}

} // namespace
