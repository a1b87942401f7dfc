#include "../formats/compressed_vectors.hpp"
#include "test_helpers.hpp"

#include <mlv/inspect/detect.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>

namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using mlv::formats::MemorySource;
using mlv::formats::testing::CompressedVectors;
using mlv::inspect::detect_format;
using mlv::inspect::testing::le;
using mlv::inspect::testing::read_bytes;
using mlv::inspect::testing::write_bytes;
using mlv::inspect::testing::ZipBuilder;

const fs::path k_fixtures = MLV_FIXTURES_DIR;

class DetectTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mlv-inspect-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string detect_bytes(const std::string& name, const std::string& bytes) {
    write_bytes(dir_ / name, bytes);
    return detect_format(dir_ / name);
  }

  // A fixture's bytes under another name, to show the name plays no part.
  std::string detect_renamed(const std::string& fixture, const std::string& name) {
    return detect_bytes(name, read_bytes(k_fixtures / fixture));
  }

  fs::path dir_;
};

struct FixtureCase {
  const char* file;
  const char* format;
};

TEST(DetectFixtures, EveryRealModelFileIsDetectedAsItsReadmeSays) {
  const FixtureCase cases[] = {
      {"rf_small.joblib", "joblib"},
      {"rf_small_zlib3.joblib", "joblib"},
      {"pipeline_p4.pkl", "pickle"},
      {"pipeline_p0.pkl", "pickle"},
      {"mlp_state_dict.pt", "pytorch"},
      {"mlp_state_dict_legacy.pt", "pytorch"},
      {"mlp.onnx", "onnx"},
      {"weights.h5", "hdf5"},
      {"weights.npy", "numpy"},
      {"weights.npz", "numpy"},
      {"xgb_model.json", "unknown"},
      {"xgb_model.ubj", "unknown"},
      {"README.md", "unknown"},
  };
  for (const auto& [file, format] : cases) {
    EXPECT_EQ(detect_format(k_fixtures / file), format) << file;
  }
}

TEST_F(DetectTest, ContentDecidesNotTheFileName) {
  EXPECT_EQ(detect_renamed("mlp.onnx", "model.pkl"), "onnx");
  EXPECT_EQ(detect_renamed("rf_small.joblib", "model.pt"), "joblib");
  EXPECT_EQ(detect_renamed("mlp_state_dict.pt", "model.zip"), "pytorch");
  EXPECT_EQ(detect_renamed("pipeline_p0.pkl", "notes.txt"), "pickle");
  EXPECT_EQ(detect_renamed("weights.npz", "weights.zip"), "numpy");
}

// A zlib stream of stored blocks, written by hand: enough to compress without a compressor.
std::string zlib_stored(const std::string& data) {
  std::string out = "\x78\x01";
  std::size_t pos = 0;
  do {
    const std::size_t length = std::min<std::size_t>(data.size() - pos, 0xFFFF);
    out += (pos + length == data.size() ? '\x01' : '\x00') + le(length, 2) +
           le(length ^ 0xFFFF, 2) + data.substr(pos, length);
    pos += length;
  } while (pos < data.size());
  std::uint32_t low = 1;
  std::uint32_t high = 0;
  for (const char c : data) {
    low = (low + static_cast<unsigned char>(c)) % 65521;
    high = (high + low) % 65521;
  }
  const std::uint32_t adler = high << 16 | low;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((adler >> shift) & 0xFF));
  }
  return out;
}

TEST_F(DetectTest, CompressedJoblibIsKnownByTheDecompressedPickle) {
  // The name plays no part when the pickle inside references joblib's numpy_pickle.
  EXPECT_EQ(detect_renamed("rf_small_zlib3.joblib", "model.bin"), "joblib");
  const auto& vectors = CompressedVectors::get();
  for (const auto& file : {"fixture.zlib6", "fixture.gz", "fixture.bz2_9", "fixture.xz",
                           "fixture.lzma", "fixture.zfile"}) {
    EXPECT_EQ(detect_bytes("model.bin", vectors.bytes(file)), "joblib") << file;
  }
  EXPECT_EQ(detect_bytes("model.bin", zlib_stored(read_bytes(k_fixtures / "rf_small.joblib"))),
            "joblib");
}

TEST_F(DetectTest, OtherCompressedDataFallsBackToTheFileName) {
  // A plain pickle (no joblib arrays), damaged streams and lz4 (which mlv cannot decode) are
  // joblib's only when the name, after a compression suffix, says pickle or joblib.
  const std::string pickle = zlib_stored(read_bytes(k_fixtures / "pipeline_p4.pkl"));
  EXPECT_EQ(detect_bytes("model.bin", pickle), "unknown");
  EXPECT_EQ(detect_bytes("model.pkl.z", pickle), "joblib");
  EXPECT_EQ(detect_bytes("MODEL.JBL", pickle), "joblib");
  // Text that mentions joblib is no pickle.
  EXPECT_EQ(detect_bytes("notes.bin", zlib_stored("see joblib.numpy_pickle for details")),
            "unknown");
  const std::string cut_gzip("\x1f\x8b\x08\x00\x00\x00\x00", 7);
  EXPECT_EQ(detect_bytes("model.joblib.gz", cut_gzip), "joblib");
  EXPECT_EQ(detect_bytes("data.gz", cut_gzip), "unknown");
  EXPECT_EQ(detect_bytes("model.pkl", "BZh91AY&SY"), "joblib");
  EXPECT_EQ(detect_bytes("model.pkl.xz", std::string("\xfd"
                                                     "7zXZ\0\0\x04",
                                                     8)),
            "joblib");
  const std::string lz4 = "\x04\x22\x4d\x18\x64\x40\xa7";
  EXPECT_EQ(detect_bytes("model.joblib.lz4", lz4), "joblib");
  EXPECT_EQ(detect_bytes("model.lz4", lz4), "unknown");
}

TEST_F(DetectTest, LegacyJoblibZFileIsJoblibWhateverItsName) {
  const std::string header = "ZF0x" + std::string("bb9") + std::string(14, ' ');
  EXPECT_EQ(detect_bytes("model.bin", header + "\x78\x9c" + std::string(20, '\x01')), "joblib");
}

TEST_F(DetectTest, SafetensorsHeaderAndTensorBytes) {
  std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  const std::string tensor(8, '\x01');
  EXPECT_EQ(detect_bytes("model.bin", le(header.size(), 8) + header + tensor), "safetensors");
  // A length that points past the end of the file is no safetensors file.
  EXPECT_EQ(detect_bytes("short.safetensors", le(header.size() + 100, 8) + header), "unknown");
  // Nor is a header that is not a JSON object.
  std::string broken = header;
  broken.back() = 'x';
  EXPECT_EQ(detect_bytes("broken.safetensors", le(broken.size(), 8) + broken + tensor), "unknown");
}

TEST_F(DetectTest, GgufMagic) {
  const std::string gguf = "GGUF" + le(3, 4) + le(0, 8) + le(0, 8);
  EXPECT_EQ(detect_bytes("model.bin", gguf), "gguf");
}

TEST_F(DetectTest, SavedModelDirectoryHoldsSavedModelPb) {
  fs::create_directories(dir_ / "export" / "variables");
  write_bytes(dir_ / "export" / "saved_model.pb", "\x08\x01");
  EXPECT_EQ(detect_format(dir_ / "export"), "savedmodel");

  fs::create_directories(dir_ / "text_export");
  write_bytes(dir_ / "text_export" / "saved_model.pbtxt", "saved_model_schema_version: 1\n");
  EXPECT_EQ(detect_format(dir_ / "text_export"), "savedmodel");

  fs::create_directories(dir_ / "other" / "saved_model.pb"); // a folder of that name is not it
  EXPECT_EQ(detect_format(dir_ / "other"), "unknown");
}

TEST_F(DetectTest, KerasHdf5HasKerasRootAttributes) {
  const std::string signature = "\x89HDF\r\n\x1a\n";
  const std::string body = std::string(200, '\0') + "keras_version" + std::string(8, '\0') + "2.13";
  EXPECT_EQ(detect_bytes("model.h5", signature + body), "keras");
  EXPECT_EQ(detect_bytes("model.bin", signature + std::string(200, '\0') + "model_config"),
            "keras");
  EXPECT_EQ(detect_bytes("plain.h5", signature + std::string(200, '\0')), "hdf5");
  // HDF5 allows a user block before the superblock: 512 bytes here.
  EXPECT_EQ(detect_bytes("userblock.h5", std::string(512, 'u') + signature + std::string(64, '\0')),
            "hdf5");
}

TEST_F(DetectTest, ZipArchivesByTheirMembers) {
  EXPECT_EQ(detect_bytes("model.keras", ZipBuilder()
                                            .add("metadata.json", "{}")
                                            .add("config.json", "{}")
                                            .add("model.weights.h5", "\x89HDF\r\n\x1a\n")
                                            .build()),
            "keras");
  EXPECT_EQ(detect_bytes("model.bin", ZipBuilder()
                                          .add("archive/data.pkl", "\x80\x02}q\x00."s)
                                          .add("archive/data/0", "0000")
                                          .add("archive/version", "3\n")
                                          .build()),
            "pytorch");
  EXPECT_EQ(detect_bytes("arrays.zip", ZipBuilder().add("w.npy", "\x93NUMPY").build()), "numpy");
  EXPECT_EQ(detect_bytes("mixed.npz",
                         ZipBuilder().add("w.npy", "\x93NUMPY").add("notes.txt", "hi").build()),
            "unknown");
  EXPECT_EQ(detect_bytes("notdata.zip", ZipBuilder().add("mydata.pkl", "x").build()), "unknown");
  EXPECT_EQ(detect_bytes("empty.zip", ZipBuilder().build()), "unknown");
}

TEST_F(DetectTest, TextProtocolPicklesAndTextThatOnlyLooksLikeOne) {
  EXPECT_EQ(detect_bytes("a", "(dp0\nS'a'\np1\nI1\ns."), "pickle");
  EXPECT_EQ(detect_bytes("b", "(lp0\nI1\naI2\na."), "pickle");
  EXPECT_EQ(detect_bytes("c", "}q\x00(X\x01\x00\x00\x00"
                              "aq\x01K\x01u."s),
            "pickle"); // protocol 1
  EXPECT_EQ(detect_bytes("d", "\x80\x02}q\x00."s), "pickle");
  EXPECT_EQ(detect_bytes("e", "(defun answer () 42)\n"), "unknown");
  EXPECT_EQ(detect_bytes("f", "cat model.pkl | less\n"), "unknown");
  EXPECT_EQ(detect_bytes("g", "}\n"), "unknown");
  EXPECT_EQ(detect_bytes("h", "\x80\x09}."), "unknown"); // no such protocol
}

TEST_F(DetectTest, OnnxNeedsAPlausibleModelProto) {
  const std::string onnx = read_bytes(k_fixtures / "mlp.onnx");
  EXPECT_EQ(detect_bytes("model.bin", onnx), "onnx");
  // ir_version out of range, or a field ModelProto does not have.
  EXPECT_EQ(detect_bytes("a.onnx", "\x08\x63" + onnx.substr(2)), "unknown");
  EXPECT_EQ(detect_bytes("b.onnx", std::string("\x08\x07\x78\x01") + onnx.substr(2)), "unknown");
  EXPECT_EQ(detect_bytes("c.onnx", "\x08\x07"), "unknown");
}

TEST_F(DetectTest, EmptyAndRandomFilesAreUnknown) {
  EXPECT_EQ(detect_bytes("empty.pkl", ""), "unknown");
  std::mt19937 random(42);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(4096, '\0');
    for (auto& byte : bytes) {
      byte = static_cast<char>(random());
    }
    EXPECT_EQ(detect_format(mlv::formats::MemorySource(bytes, "random"), "random.bin"), "unknown")
        << round;
  }
}

TEST_F(DetectTest, TruncatedArchivesNeverCrashAndStillShowTheirFirstMember) {
  const std::string pt = read_bytes(k_fixtures / "mlp_state_dict.pt");
  // The first local header and its name take 64 bytes: from there on, data.pkl is visible.
  for (std::size_t length = 0; length < pt.size(); ++length) {
    const auto format =
        detect_format(mlv::formats::MemorySource(pt.substr(0, length), "cut.pt"), "cut.pt");
    EXPECT_EQ(format, length >= 64 ? "pytorch" : "unknown") << length;
  }
  const std::string npz = read_bytes(k_fixtures / "weights.npz");
  for (std::size_t length = 0; length < npz.size(); ++length) {
    const auto format =
        detect_format(mlv::formats::MemorySource(npz.substr(0, length), "cut.npz"), "cut.npz");
    EXPECT_TRUE(format == "numpy" || format == "unknown") << length << ": " << format;
  }
}

TEST_F(DetectTest, GarbageAfterAZipSignatureIsUnknown) {
  std::mt19937 random(3);
  for (int round = 0; round < 200; ++round) {
    std::string bytes = "PK\x03\x04";
    for (int i = 0; i < 300; ++i) {
      bytes.push_back(static_cast<char>(random()));
    }
    bytes += "PK\x05\x06" + std::string(18, '\xff');
    EXPECT_EQ(detect_format(mlv::formats::MemorySource(bytes, "garbage.zip"), "garbage.zip"),
              "unknown");
  }
}

TEST(DetectFixtures, DamagedModelFilesYieldAFormatNameNeverACrash) {
  const std::set<std::string> names = {"pickle", "joblib", "pytorch", "safetensors",
                                       "onnx",   "hdf5",   "keras",   "savedmodel",
                                       "gguf",   "numpy",  "unknown"};
  std::mt19937 random(5);
  for (const auto& entry : fs::directory_iterator(k_fixtures)) {
    const std::string original = read_bytes(entry.path());
    for (int round = 0; round < 300; ++round) {
      std::string bytes = original;
      // Damage a few bytes, mostly near the start where the probes look.
      for (int hit = 0; hit < 4; ++hit) {
        const std::size_t span =
            round % 2 == 0 ? std::min<std::size_t>(bytes.size(), 64) : bytes.size();
        bytes[random() % span] = static_cast<char>(random());
      }
      const auto format =
          detect_format(mlv::formats::MemorySource(bytes, "damaged"), entry.path().filename());
      EXPECT_TRUE(names.contains(format)) << entry.path() << ": " << format;
    }
  }
}

TEST_F(DetectTest, OneGibibyteFileIsJudgedFromItsHeadNotASequentialRead) {
  const auto sparse = [&](const std::string& name, const std::string& head) {
    write_bytes(dir_ / name, head);
    fs::resize_file(dir_ / name, 1ull << 30); // sparse: no disk space used
    return dir_ / name;
  };
  const auto pickle = sparse("big.pkl", "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}"s);
  const auto zip = sparse("big.pt", ZipBuilder().add("big/data.pkl", "\x80\x02}.").build());
  const auto zeros = sparse("big.bin", "");
  // detect.hpp promises at most the first MiB (4 MiB of compressed data) and a zip's directory.
  constexpr std::uint64_t k_most = 5ull << 20;
  const auto judged = [&](const fs::path& path) {
    const mlv::inspect::testing::CountingFileSource source(path);
    const auto format = detect_format(source, path.filename().string());
    EXPECT_LE(source.bytes_read(), k_most) << path;
    return format;
  };
  EXPECT_EQ(judged(pickle), "pickle");
  EXPECT_EQ(judged(zip), "pytorch"); // directory cut off: found from the local header
  EXPECT_EQ(judged(zeros), "unknown");
}

TEST_F(DetectTest, MissingPathIsAnErrorNamingIt) {
  try {
    detect_format(dir_ / "nope.pkl");
    FAIL() << "no error for a missing file";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::not_found);
    EXPECT_NE(std::string(error.what()).find("nope.pkl"), std::string::npos);
  }
}

} // namespace
