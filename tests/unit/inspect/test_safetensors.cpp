// safetensors files built byte by byte from the published format (huggingface/safetensors
// README, "Format"): u64 little-endian header length, a JSON header, the tensor bytes.

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace mlv::inspect;
using namespace mlv::inspect::testing;

// A header padded with spaces to 8 bytes, as the reference writer does, and `data_bytes` of data.
std::string safetensors(std::string header, std::size_t data_bytes) {
  header.append((8 - header.size() % 8) % 8, ' ');
  return le(header.size(), 8) + header + std::string(data_bytes, '\x01');
}

const std::string k_two_tensors =
    R"({"__metadata__":{"format":"pt","source":"unit test"},)"
    R"("embed.weight":{"dtype":"BF16","shape":[10,4],"data_offsets":[0,80]},)"
    R"("head.bias":{"dtype":"F32","shape":[3],"data_offsets":[80,92]}})";

TEST(Safetensors, TensorsParametersDtypesAndMetadata) {
  const auto inspection = inspect_source(
      mlv::formats::MemorySource(safetensors(k_two_tensors, 92), "m.safetensors"), "m");
  EXPECT_EQ(inspection.format, "safetensors");
  EXPECT_EQ(fact_number(inspection, "tensors"), 2u);
  EXPECT_EQ(fact_number(inspection, "parameters"), 43u);
  EXPECT_EQ(fact_text(inspection, "dtypes"), "BF16, F32");
  ASSERT_EQ(inspection.tensors.size(), 2u);
  EXPECT_EQ(inspection.tensors[0].name, "embed.weight");
  EXPECT_EQ(inspection.tensors[0].dtype, "BF16");
  EXPECT_EQ(shape_text(inspection.tensors[0].shape), "[10, 4]");
  EXPECT_EQ(inspection.tensors[0].bytes, 80u);
  ASSERT_EQ(inspection.metadata.size(), 2u);
  EXPECT_EQ(inspection.metadata[0].key, "format");
  EXPECT_EQ(value_text(inspection.metadata[0].value), "pt");

  const auto summary = short_summary(inspection);
  EXPECT_EQ(summary_text(summary, "tensors"), "2");
  EXPECT_EQ(summary_text(summary, "parameters"), "43");
  EXPECT_EQ(summary_list(summary, "dtypes")[1], "F32");
  EXPECT_EQ(summary_field(summary, "metadata"), nullptr); // a pointer keeps a few keys only
}

TEST(Safetensors, ScalarsAndEmptyTensorsCount) {
  const std::string header = R"({"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
                             R"("none":{"dtype":"F16","shape":[0,5],"data_offsets":[8,8]}})";
  const auto inspection =
      inspect_source(mlv::formats::MemorySource(safetensors(header, 8), "s"), "s");
  EXPECT_EQ(fact_number(inspection, "parameters"), 1u);
  EXPECT_EQ(shape_text(inspection.tensors[0].shape), "[]");
}

TEST(Safetensors, HostileHeadersAreBadInputNamingTheFile) {
  // A header length far past the end of the file is no safetensors file at all: never read.
  std::string bytes = safetensors(k_two_tensors, 92);
  bytes.replace(0, 8, le(1ull << 40, 8));
  EXPECT_EQ(inspect_source(mlv::formats::MemorySource(bytes, "huge.safetensors"), "huge").format,
            "unknown");
  // Offsets past the data.
  std::string offsets = k_two_tensors;
  offsets.replace(offsets.find("[80,92]"), 7, "[80,9000000000]");
  EXPECT_NE(bad_input_message(safetensors(offsets, 92), "offsets.safetensors").find("head.bias"),
            std::string::npos);
  // A shape whose size disagrees with its bytes.
  std::string shape = k_two_tensors;
  shape.replace(shape.find("[3]"), 3, "[4]");
  bad_input_message(safetensors(shape, 92), "shape.safetensors");
  // Dimensions whose product overflows 64 bits.
  std::string overflow = k_two_tensors;
  overflow.replace(overflow.find("[3]"), 3, "[4294967296,4294967296,16]");
  bad_input_message(safetensors(overflow, 92), "overflow.safetensors");
  // A tensor without a dtype, and a negative dimension.
  std::string no_dtype = k_two_tensors;
  no_dtype.replace(no_dtype.find(R"("dtype":"F32",)"), 14, "");
  bad_input_message(safetensors(no_dtype, 92), "no-dtype.safetensors");
  // A shape of millions of dimensions: refused before it costs gigabytes of memory.
  std::string many = k_two_tensors;
  std::string zeros = "[1";
  for (int i = 0; i < 2'100'000; ++i) {
    zeros += ",1";
  }
  many.replace(many.find("[3]"), 3, zeros + "]");
  EXPECT_NE(bad_input_message(safetensors(many, 92), "many.safetensors").find("values"),
            std::string::npos);
  std::string negative = k_two_tensors;
  negative.replace(negative.find("[3]"), 3, "[-3]");
  bad_input_message(safetensors(negative, 92), "negative.safetensors");
}

TEST(Safetensors, ARepeatedTensorNameIsBadInput) {
  // Two entries named alike: the loader keeps one of them, so mlv could describe and count a
  // tensor the loader never sees. Refused, naming the file.
  const std::string twice = R"({"head.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                            R"("head.bias":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})";
  const auto message = bad_input_message(safetensors(twice, 20), "twice.safetensors");
  EXPECT_NE(message.find("twice.safetensors"), std::string::npos) << message;
  EXPECT_NE(message.find("appears twice"), std::string::npos) << message;
}

TEST(Safetensors, TruncatedFilesAreUnknownOrBadInputNeverACrash) {
  // A header cut short fails detection (unknown); one whose data is cut is refused.
  const std::string full = safetensors(k_two_tensors, 92);
  for (const std::size_t cut : {std::size_t{4}, std::size_t{20}, full.size() - 93}) {
    try {
      const auto inspection =
          inspect_source(mlv::formats::MemorySource(full.substr(0, cut), "cut.safetensors"), "cut");
      EXPECT_EQ(inspection.format, "unknown") << cut;
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    }
  }
}

TEST(Safetensors, NamesThatAreNotTextAreMadeSafeToPrint) {
  const std::string header = "{\"a\\u001b[31mb\xff\":{\"dtype\":\"U8\",\"shape\":[1],"
                             "\"data_offsets\":[0,1]}}";
  const auto inspection =
      inspect_source(mlv::formats::MemorySource(safetensors(header, 1), "t"), "t");
  ASSERT_EQ(inspection.tensors.size(), 1u);
  // The terminal escape and the stray byte become U+FFFD.
  EXPECT_EQ(inspection.tensors[0].name, "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD");
}

TEST(Safetensors, TenGibibyteFileInspectsFromItsHeader) {
  const fs::path path = fs::temp_directory_path() /
                        ("mlv-inspect-big-" + std::to_string(::getpid()) + ".safetensors");
  constexpr std::uint64_t k_tensors = 1000;
  constexpr std::uint64_t k_elements = (10ull << 30) / k_tensors / 4;
  std::string header = "{";
  for (std::uint64_t i = 0; i < k_tensors; ++i) {
    header += (i ? "," : "") + std::string("\"layer.") + std::to_string(i) +
              "\":{\"dtype\":\"F32\",\"shape\":[" + std::to_string(k_elements) +
              "],\"data_offsets\":[" + std::to_string(i * k_elements * 4) + "," +
              std::to_string((i + 1) * k_elements * 4) + "]}";
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  write_bytes(path, le(header.size(), 8) + header);
  fs::resize_file(path, 8 + header.size() + k_tensors * k_elements * 4); // sparse
  CountingFileSource source(path);
  const auto inspection = inspect_source(source, path.filename().string());
  // The header and the few range reads of detection, not the tensors' bytes.
  EXPECT_LT(source.bytes_read(), 8 + header.size() + (2u << 20)) << source.bytes_read();
  fs::remove(path);
  EXPECT_EQ(fact_number(inspection, "parameters"), k_tensors * k_elements);
}

} // namespace
