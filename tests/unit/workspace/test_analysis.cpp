// `mlv add`'s one analysis of a file: the format, the summary a pointer keeps and the safety
// scan, as typed values, on real model files and on damaged and hostile ones.

#include <mlv/cache/state_db.hpp>
#include <mlv/scan/rules.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/analysis.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mlv::workspace {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

const fs::path k_fixtures = MLV_FIXTURES_DIR;

class AnalysisTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mlv-analysis-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  fs::path dir_;
};

bool has_key(const std::vector<inspect::Field>& summary, const std::string& key) {
  for (const auto& field : summary) {
    if (field.key == key) {
      return true;
    }
  }
  return false;
}

TEST_F(AnalysisTest, ARealModelFileGetsItsFormatSummaryAndACleanScan) {
  const auto analysis = analyze_file(k_fixtures / "mlp.onnx");
  EXPECT_EQ(analysis.format, "onnx");
  EXPECT_TRUE(has_key(analysis.summary, "opsets"));
  ASSERT_EQ(analysis.reports.size(), 1U);
  EXPECT_EQ(analysis.reports[0].first, "");
  EXPECT_EQ(analysis.reports[0].second.verdict, scan::Verdict::clean);
}

TEST_F(AnalysisTest, ACompressedJoblibIsDescribedAndScannedThroughTheSameSource) {
  const auto analysis = analyze_file(k_fixtures / "rf_small_zlib3.joblib");
  EXPECT_EQ(analysis.format, "joblib");
  EXPECT_FALSE(analysis.summary.empty());
  ASSERT_EQ(analysis.reports.size(), 1U);
  EXPECT_EQ(analysis.reports[0].second.verdict, scan::Verdict::clean);
  EXPECT_GT(analysis.reports[0].second.pickle_streams, 0U);
}

TEST_F(AnalysisTest, APickleThatRunsCodeIsUnsafeAndStillDescribed) {
  // protocol 2: os.system("echo pwned") via GLOBAL + REDUCE
  const auto path = write("evil.pkl", "\x80\x02"
                                      "cos\nsystem\n"
                                      "X\x0a\x00\x00\x00"
                                      "echo pwned"
                                      "\x85R."s);
  const auto analysis = analyze_file(path);
  EXPECT_EQ(analysis.format, "pickle");
  ASSERT_EQ(analysis.reports.size(), 1U);
  EXPECT_EQ(analysis.reports[0].second.verdict, scan::Verdict::unsafe);
}

TEST_F(AnalysisTest, ADamagedHeaderKeepsTheFormatWithoutASummary) {
  // A safetensors header length far past the end of the file.
  const auto path = write("broken.safetensors", "\xff\xff\xff\x00\x00\x00\x00\x00{\""s);
  const auto analysis = analyze_file(path);
  EXPECT_TRUE(analysis.summary.empty());
  EXPECT_FALSE(analysis.format.empty());
  ASSERT_EQ(analysis.reports.size(), 1U);
}

TEST_F(AnalysisTest, AFolderIsScannedFileByFileUnderItsListingsNames) {
  cache::DirListing listing;
  fs::create_directories(dir_ / "model" / "sub");
  fs::copy_file(k_fixtures / "pipeline_p4.pkl", dir_ / "model" / "sub" / "a.pkl");
  fs::copy_file(k_fixtures / "weights.npy", dir_ / "model" / "b.npy");
  listing.entries.push_back({"b.npy", "", 0, false});
  listing.entries.push_back({"sub/a.pkl", "", 0, false});
  const auto analysis = analyze_folder(dir_ / "model", listing);
  ASSERT_EQ(analysis.reports.size(), 2U);
  EXPECT_EQ(analysis.reports[0].first, "b.npy");
  EXPECT_EQ(analysis.reports[1].first, "sub/a.pkl");
  EXPECT_GT(analysis.reports[1].second.pickle_streams, 0U);
}

TEST_F(AnalysisTest, AFolderFileFoundCleanBeforeIsNotScannedAgainAndUnsafeOnesAlwaysAre) {
  cache::StateDb state(dir_ / "state.db");
  fs::create_directories(dir_ / "model");
  fs::copy_file(k_fixtures / "pipeline_p4.pkl", dir_ / "model" / "a.pkl");
  const std::string evil = "\x80\x02"
                           "cos\nsystem\n"
                           "X\x0a\x00\x00\x00"
                           "echo pwned"
                           "\x85R."s;
  std::ofstream(dir_ / "model" / "b.pkl", std::ios::binary) << evil;
  cache::DirListing listing;
  listing.entries.push_back({"a.pkl", std::string(64, 'a'), 0, false});
  listing.entries.push_back({"b.pkl", std::string(64, 'b'), 0, false});
  auto analysis = analyze_folder(dir_ / "model", listing, &state);
  EXPECT_GT(analysis.reports[0].second.pickle_streams, 0U);
  EXPECT_EQ(analysis.reports[1].second.verdict, scan::Verdict::unsafe);
  EXPECT_EQ(state.clean_scans({std::string(64, 'a'), std::string(64, 'b')}, scan::k_rules_version),
            std::set<std::string>{std::string(64, 'a')});
  // Again: the clean file (known by its id) is not read, the unsafe one is scanned again.
  analysis = analyze_folder(dir_ / "model", listing, &state);
  EXPECT_EQ(analysis.reports[0].second.verdict, scan::Verdict::clean);
  EXPECT_EQ(analysis.reports[0].second.pickle_streams, 0U) << "scanned again";
  EXPECT_EQ(analysis.reports[1].second.verdict, scan::Verdict::unsafe);
  // Other scanner rules: scanned again.
  EXPECT_TRUE(state.clean_scans({std::string(64, 'a')}, scan::k_rules_version + 1).empty());
}

TEST_F(AnalysisTest, AnUnreadableFileIsAnErrorNamingIt) {
  try {
    (void)analyze_file(dir_ / "missing.pkl");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("missing.pkl"), std::string::npos) << error.what();
  }
}

} // namespace
} // namespace mlv::workspace
