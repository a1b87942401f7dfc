// GGUF files built byte by byte from the published specification (ggml docs/gguf.md): header,
// typed metadata key/values (arrays included), tensor infos, aligned tensor data.

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace {

using namespace mlv::inspect;
using namespace mlv::inspect::testing;

enum : std::uint32_t {
  t_uint8 = 0,
  t_int8 = 1,
  t_uint16 = 2,
  t_int16 = 3,
  t_uint32 = 4,
  t_int32 = 5,
  t_float32 = 6,
  t_bool = 7,
  t_string = 8,
  t_array = 9,
  t_uint64 = 10,
  t_int64 = 11,
  t_float64 = 12,
};
constexpr std::uint32_t k_ggml_f32 = 0;
constexpr std::uint32_t k_ggml_q4_k = 12;

class GgufBuilder {
public:
  explicit GgufBuilder(std::uint32_t version = 3) : version_(version) {}

  std::string count(std::uint64_t value) const { return le(value, version_ == 1 ? 4 : 8); }
  std::string str(const std::string& text) const { return count(text.size()) + text; }

  GgufBuilder& pair(const std::string& key, std::uint32_t type, const std::string& value) {
    metadata_ += str(key) + le(type, 4) + value;
    ++pairs_;
    return *this;
  }
  GgufBuilder& text(const std::string& key, const std::string& value) {
    return pair(key, t_string, str(value));
  }
  GgufBuilder& u32(const std::string& key, std::uint32_t value) {
    return pair(key, t_uint32, le(value, 4));
  }
  GgufBuilder& strings(const std::string& key, const std::vector<std::string>& values) {
    std::string array = le(t_string, 4) + count(values.size());
    for (const auto& value : values) {
      array += str(value);
    }
    return pair(key, t_array, array);
  }
  GgufBuilder& tensor(const std::string& name,
                      const std::vector<std::uint64_t>& dims,
                      std::uint32_t type,
                      std::uint64_t offset) {
    infos_ += str(name) + le(dims.size(), 4);
    for (const auto size : dims) {
      infos_ += count(size);
    }
    infos_ += le(type, 4) + le(offset, 8);
    ++tensors_;
    return *this;
  }

  std::string build(std::uint64_t data_bytes, std::uint64_t alignment = 32) const {
    std::string out =
        "GGUF" + le(version_, 4) + count(tensors_) + count(pairs_) + metadata_ + infos_;
    out.append((alignment - out.size() % alignment) % alignment, '\0');
    return out + std::string(data_bytes, '\x02');
  }

private:
  std::uint32_t version_;
  std::string metadata_;
  std::string infos_;
  std::uint64_t pairs_ = 0;
  std::uint64_t tensors_ = 0;
};

std::string f32_bits(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return le(bits, 4);
}

// A small llama-like file: metadata of every value type, a vocabulary, two tensors.
std::string llama_like() {
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 1000; ++i) {
    vocabulary.push_back("tok" + std::to_string(i));
  }
  std::string scores = le(t_float32, 4) + le(1000, 8);
  for (int i = 0; i < 1000; ++i) {
    scores += f32_bits(-static_cast<float>(i));
  }
  return GgufBuilder()
      .text("general.architecture", "llama")
      .text("general.name", "tiny llama")
      .u32("llama.context_length", 2048)
      .pair("llama.rope.freq_base", t_float32, f32_bits(10000.0f))
      .pair("general.quantization_version", t_uint8, le(2, 1))
      .pair("test.int8", t_int8, le(0xFE, 1))
      .pair("test.uint16", t_uint16, le(65535, 2))
      .pair("test.int16", t_int16, le(0xFFFF, 2))
      .pair("test.int32", t_int32, le(0xFFFFFFF0, 4))
      .pair("test.bool", t_bool, le(1, 1))
      .pair("test.uint64", t_uint64, le(1ull << 40, 8))
      .pair("test.int64", t_int64, le(static_cast<std::uint64_t>(-5), 8))
      .pair("test.float64", t_float64, le(0x3FF8000000000000ull, 8)) // 1.5
      .pair("test.nested", t_array,
            le(t_array, 4) + le(2, 8) + le(t_uint8, 4) + le(2, 8) + "\x01\x02" + le(t_uint8, 4) +
                le(1, 8) + "\x03")
      .strings("tokenizer.ggml.tokens", vocabulary)
      .pair("tokenizer.ggml.scores", t_array, scores)
      .tensor("token_embd.weight", {64, 1000}, k_ggml_f32, 0)
      .tensor("blk.0.attn_q.weight", {256, 64}, k_ggml_q4_k, 64 * 1000 * 4)
      .build(64 * 1000 * 4 + 256 * 64 / 256 * 144);
}

TEST(Gguf, HeaderMetadataAndTensorInfos) {
  const auto inspection =
      inspect_source(mlv::formats::MemorySource(llama_like(), "tiny.gguf"), "tiny.gguf");
  EXPECT_EQ(inspection.format, "gguf");
  EXPECT_EQ(fact_number(inspection, "version"), 3u);
  EXPECT_EQ(fact_text(inspection, "architecture"), "llama");
  EXPECT_EQ(fact_text(inspection, "name"), "tiny llama");
  EXPECT_EQ(fact_number(inspection, "tensors"), 2u);
  EXPECT_EQ(fact_number(inspection, "metadata_keys"), 16u);
  EXPECT_EQ(fact_number(inspection, "parameters"), 64u * 1000 + 256 * 64);
  ASSERT_EQ(inspection.tensors.size(), 2u);
  EXPECT_EQ(inspection.tensors[0].name, "token_embd.weight");
  EXPECT_EQ(inspection.tensors[0].dtype, "F32");
  EXPECT_EQ(shape_text(inspection.tensors[0].shape), "[64, 1000]");
  EXPECT_EQ(inspection.tensors[0].bytes, 64u * 1000 * 4);
  EXPECT_EQ(inspection.tensors[1].dtype, "Q4_K");
  EXPECT_EQ(inspection.tensors[1].bytes, 256u * 64 / 256 * 144);

  std::map<std::string, std::string> metadata;
  for (const auto& field : inspection.metadata) {
    metadata[field.key] = value_text(field.value);
  }
  EXPECT_EQ(metadata["llama.context_length"], "2048");
  EXPECT_EQ(metadata["llama.rope.freq_base"], "10000");
  EXPECT_EQ(metadata["test.int8"], "-2");
  EXPECT_EQ(metadata["test.uint16"], "65535");
  EXPECT_EQ(metadata["test.int16"], "-1");
  EXPECT_EQ(metadata["test.int32"], "-16");
  EXPECT_EQ(metadata["test.bool"], "true");
  EXPECT_EQ(metadata["test.uint64"], "1099511627776");
  EXPECT_EQ(metadata["test.int64"], "-5");
  EXPECT_EQ(metadata["test.float64"], "1.5");
  // Long arrays are summarised as their type and length, short ones shown.
  EXPECT_EQ(metadata["tokenizer.ggml.tokens"], "array of 1000 string");
  EXPECT_EQ(metadata["tokenizer.ggml.scores"], "array of 1000 float32");
  EXPECT_EQ(metadata["test.nested"], "1, 2, 3");

  const auto summary = short_summary(inspection);
  EXPECT_EQ(summary_text(summary, "architecture"), "llama");
  EXPECT_EQ(summary_text(summary, "version"), "3");
  EXPECT_EQ(summary_text(summary, "tensors"), "2");
}

TEST(Gguf, VersionOneUsesThirtyTwoBitCounts) {
  const std::string file = GgufBuilder(1)
                               .text("general.architecture", "gpt2")
                               .tensor("w", {4, 2}, k_ggml_f32, 0)
                               .build(32);
  const auto inspection = inspect_source(mlv::formats::MemorySource(file, "v1.gguf"), "v1.gguf");
  EXPECT_EQ(fact_number(inspection, "version"), 1u);
  EXPECT_EQ(fact_text(inspection, "architecture"), "gpt2");
  EXPECT_EQ(shape_text(inspection.tensors.at(0).shape), "[4, 2]");
}

TEST(Gguf, CustomAlignmentPlacesTheData) {
  const std::string file =
      GgufBuilder().u32("general.alignment", 64).tensor("w", {16}, k_ggml_f32, 0).build(64, 64);
  const auto inspection = inspect_source(mlv::formats::MemorySource(file, "a.gguf"), "a.gguf");
  EXPECT_EQ(fact_number(inspection, "alignment"), 64u);
}

TEST(Gguf, HostileAndTruncatedFilesAreBadInputNamingTheFile) {
  const std::string good = llama_like();
  // Every truncation inside the header and metadata fails cleanly.
  for (std::size_t cut = 8; cut < 400; cut += 7) {
    bad_input_message(good.substr(0, cut), "cut.gguf");
  }
  // A tensor count no file could hold.
  std::string counts = good;
  counts.replace(8, 8, le(1ull << 60, 8));
  EXPECT_NE(bad_input_message(counts, "count.gguf").find("cannot fit"), std::string::npos);
  // More metadata keys than any model has, in a file big enough to claim them.
  const std::string many =
      "GGUF" + le(3, 4) + le(0, 8) + le(1'500'000, 8) + std::string(1'500'000 * 10, '\0');
  EXPECT_NE(bad_input_message(many, "many.gguf").find("more than 1000000 metadata keys"),
            std::string::npos);
  // A string length far past the end.
  const std::string long_string =
      "GGUF" + le(3, 4) + le(0, 8) + le(1, 8) + le(4, 8) + "name" + le(t_string, 4) + le(~0ull, 8);
  bad_input_message(long_string, "string.gguf");
  // An unknown value type.
  const std::string bad_type =
      "GGUF" + le(3, 4) + le(0, 8) + le(1, 8) + le(1, 8) + "k" + le(99, 4) + std::string(16, '\0');
  EXPECT_NE(bad_input_message(bad_type, "type.gguf").find("value type 99"), std::string::npos);
  // Arrays nested deeper than any writer makes.
  std::string nested = "GGUF" + le(3, 4) + le(0, 8) + le(1, 8) + le(1, 8) + "k" + le(t_array, 4);
  for (int i = 0; i < 100; ++i) {
    nested += le(t_array, 4) + le(1, 8);
  }
  bad_input_message(nested + std::string(64, '\0'), "nested.gguf");
  // A tensor whose data would lie past the end.
  const std::string past = GgufBuilder().tensor("w", {1024}, k_ggml_f32, 0).build(16);
  EXPECT_NE(bad_input_message(past, "past.gguf").find("'w'"), std::string::npos);
  // Too many dimensions, and an unknown version.
  bad_input_message(GgufBuilder().tensor("w", std::vector<std::uint64_t>(9, 1), 0, 0).build(64),
                    "dims.gguf");
  bad_input_message("GGUF" + le(7, 4) + std::string(32, '\0'), "version.gguf");
  EXPECT_NE(bad_input_message("GGUF" + std::string("\0\0\0\3", 4) + std::string(32, '\0'),
                              "big-endian.gguf")
                .find("big-endian"),
            std::string::npos);
}

} // namespace
