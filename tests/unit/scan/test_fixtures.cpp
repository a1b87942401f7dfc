// Every real model file in the fixtures is benign: the scanner must never call one unsafe; the
// ordinary classes they hold are all on the allow-list, and each is read to its end.

#include <mlv/scan/scan.hpp>

#include <gtest/gtest.h>

#include <filesystem>

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

} // namespace
} // namespace mlv::scan
