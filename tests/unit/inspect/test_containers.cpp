// PyTorch zip and legacy checkpoints, Keras 3 .keras archives, pickles and joblib containers,
// built from their formats (torch/serialization.py layout, Keras saving_lib layout, pickle
// opcodes, compressor magic bytes). Nothing here is unpickled.

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>

#include <gtest/gtest.h>

namespace {

using namespace std::string_literals;
using namespace mlv::inspect;
using namespace mlv::inspect::testing;

TEST(PyTorch, ZipRecordsByteOrderAndDataVersion) {
  const std::string archive = ZipBuilder()
                                  .add("archive/data.pkl", "\x80\x04\x95\x02\x00\x00}."s)
                                  .add("archive/byteorder", "little")
                                  .add("archive/data/0", std::string(400, '\0'))
                                  .add("archive/data/1", std::string(40, '\0'))
                                  .add("archive/version", "3\n")
                                  .add("archive/.data/version", "3\n")
                                  .add("archive/.data/serialization_id", "1234567890")
                                  .build();
  const auto torch = inspect_source(mlv::formats::MemorySource(archive, "model.pt"), "model.pt");
  EXPECT_EQ(torch.format, "pytorch");
  EXPECT_EQ(fact_text(torch, "archive"), "archive");
  EXPECT_EQ(fact_number(torch, "tensor_records"), 2u);
  EXPECT_EQ(fact_number(torch, "record_bytes"), 440u);
  EXPECT_EQ(fact_text(torch, "byteorder"), "little");
  EXPECT_EQ(fact_text(torch, "data_version"), "3");
  EXPECT_EQ(fact_text(torch, "serialization_id"), "1234567890");
  EXPECT_EQ(fact_number(torch, "pickle_protocol"), 4u);
  EXPECT_EQ(torch.fact("torchscript"), nullptr);
  const auto summary = short_summary(torch);
  EXPECT_EQ(summary_text(summary, "archive"), "archive");
  EXPECT_EQ(summary_text(summary, "tensor_records"), "2");
  EXPECT_EQ(summary_field(summary, "classes"), nullptr); // the pickle walk's to fill
}

TEST(PyTorch, TorchScriptArchivesHaveCode) {
  const std::string archive = ZipBuilder()
                                  .add("scripted/data.pkl", "\x80\x02}."s)
                                  .add("scripted/code/__torch__.py", "def forward(self): ...")
                                  .add("scripted/constants.pkl", "\x80\x02)."s)
                                  .build();
  const auto torch = inspect_source(mlv::formats::MemorySource(archive, "s.pt"), "s.pt");
  EXPECT_EQ(fact_text(torch, "torchscript"), "true");
  EXPECT_EQ(fact_number(torch, "tensor_records"), 0u);
}

TEST(PyTorch, LegacyHeaderOfAnyPickleProtocol) {
  // torch.save(..., pickle_protocol=4, _use_new_zipfile_serialization=False): FRAMEs after PROTO.
  const std::string magic = "\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"s;
  const std::string frame = "\x95\x0d\x00\x00\x00\x00\x00\x00\x00"s;
  const std::string bytes = "\x80\x04"s + frame + magic + "." + "\x80\x04"s + frame + "M\xe9\x03." +
                            "\x80\x04"s + frame + "}\x94(\x8c\x0dlittle_endian\x94\x89u." +
                            std::string(64, '\0');
  const auto legacy = inspect_source(mlv::formats::MemorySource(bytes, "old.pt"), "old.pt");
  EXPECT_EQ(legacy.format, "pytorch");
  EXPECT_EQ(fact_number(legacy, "pickle_protocol"), 4u);
  EXPECT_EQ(fact_number(legacy, "protocol_version"), 1001u);
  EXPECT_EQ(fact_text(legacy, "byteorder"), "big");
}

TEST(Keras, KerasThreeArchiveConfigAndMetadata) {
  const std::string archive =
      ZipBuilder()
          .add("metadata.json", R"({"keras_version": "3.3.3", "date_saved": "2024-05-01@10:00"})")
          .add("config.json", R"({"module": "keras", "class_name": "Functional", "config": )"
                              R"({"name": "classifier", "layers": [{}, {}, {}, {}]}})")
          .add("model.weights.h5", std::string(96, '\0'))
          .build();
  const auto keras = inspect_source(mlv::formats::MemorySource(archive, "m.keras"), "m.keras");
  EXPECT_EQ(keras.format, "keras");
  EXPECT_EQ(fact_text(keras, "keras_version"), "3.3.3");
  EXPECT_EQ(fact_text(keras, "class_name"), "Functional");
  EXPECT_EQ(fact_text(keras, "model_name"), "classifier");
  EXPECT_EQ(fact_number(keras, "layers"), 4u);
  EXPECT_EQ(fact_number(keras, "weights_bytes"), 96u);
  EXPECT_EQ(summary_text(short_summary(keras), "keras_version"), "3.3.3");

  const std::string broken =
      ZipBuilder().add("config.json", "{\"class_name\": ").add("model.weights.h5", "").build();
  EXPECT_NE(bad_input_message(broken, "broken.keras").find("not valid JSON"), std::string::npos);
}

TEST(Pickle, ProtocolFromProtoOrZeroOne) {
  const auto p5 = inspect_source(
      mlv::formats::MemorySource("\x80\x05\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94."s, "p5.pkl"),
      "p5.pkl");
  EXPECT_EQ(p5.format, "pickle");
  EXPECT_EQ(fact_number(p5, "protocol"), 5u);
  EXPECT_EQ(summary_text(short_summary(p5), "protocol"), "5");
  EXPECT_EQ(p5.classes, std::vector<std::string>{"builtins.dict"}); // the walk: an empty dict
}

TEST(Joblib, CompressionKindFromMagicBytes) {
  const std::string tail(32, '\x01');
  const std::pair<std::string, std::string> cases[] = {
      {"\x78\x9c"s + tail, "zlib"},
      {"\x1f\x8b\x08"s + tail, "gzip"},
      {"BZh9"s + tail, "bz2"},
      {"\xfd"
       "7zXZ\x00"s +
           tail,
       "xz"},
      {"\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff"s + tail, "lzma"},
      {"\x04\x22\x4d\x18"s + tail, "lz4"},
  };
  for (const auto& [bytes, kind] : cases) {
    const auto joblib = inspect_source(mlv::formats::MemorySource(bytes, "m.joblib"), "m.joblib");
    EXPECT_EQ(joblib.format, "joblib") << kind;
    EXPECT_EQ(fact_text(joblib, "compression"), kind);
    EXPECT_EQ(summary_text(short_summary(joblib), "compression"), kind);
  }
  const std::string legacy = "ZF0xbb9" + std::string(14, ' ') + "\x78\x9c"s + tail;
  EXPECT_EQ(fact_text(inspect_source(mlv::formats::MemorySource(legacy, "old.pkl"), "old.pkl"),
                      "compression"),
            "joblib-zfile");
}

} // namespace
