// Every real model file in the fixtures is benign: the scanner must never call one unsafe; the
// ordinary classes they hold are all on the allow-list, and each is read to its end.

#include <mlv/scan/scan.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace mlv::scan {
namespace {

namespace fs = std::filesystem;

TEST(ScanFixtures, NoRealModelFileIsUnsafe) {
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(MLV_FIXTURES_DIR)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") {
      continue;
    }
    ++files;
    const auto report = scan_file(entry.path());
    EXPECT_NE(report.verdict, Verdict::unsafe) << entry.path();
    EXPECT_EQ(report.verdict, Verdict::clean) << entry.path();
    for (const auto& finding : report.findings) {
      ADD_FAILURE() << entry.path() << ": " << finding.callable << " at " << finding.offset
                    << " in " << finding.container << " " << finding.member << ": "
                    << finding.reason;
    }
    for (const auto& note : report.notes) {
      ADD_FAILURE() << entry.path() << " was not read to its end: " << note;
    }
  }
  EXPECT_GE(files, 12u);
}

TEST(ScanFixtures, DamagedFilesAreScannedWithoutFailing) {
  // Random bytes overwritten, and the files cut short: a scan never crashes or throws on
  // malformed content (it reports what it could read).
  std::mt19937 random(7);
  for (const char* name : {"rf_small.joblib", "rf_small_zlib3.joblib", "pipeline_p0.pkl",
                           "mlp_state_dict.pt", "mlp_state_dict_legacy.pt", "weights.npz"}) {
    std::ifstream in(fs::path(MLV_FIXTURES_DIR) / name, std::ios::binary);
    const std::string original{std::istreambuf_iterator<char>(in), {}};
    for (int round = 0; round < 150; ++round) {
      std::string bytes = original;
      for (int flips = 0; flips < 1 + round % 8; ++flips) {
        bytes[random() % bytes.size()] = static_cast<char>(random());
      }
      if (round % 5 == 0) {
        bytes.resize(random() % bytes.size());
      }
      EXPECT_NO_THROW((void)scan_source(mlv::formats::MemorySource(bytes, name), name)) << name;
    }
  }
}

} // namespace
} // namespace mlv::scan
