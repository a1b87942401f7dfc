// Each kind of failure ends the process with the code docs/exit-codes.md promises: the one
// place where the layers' Failure becomes the command line's contract.

#include <mlv/cli/exit_code.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace mlv::cli {
namespace {

TEST(ExitCode, EveryFailureKindHasItsDocumentedCode) {
  EXPECT_EQ(exit_code_for(Failure::failed), ExitCode::failure);
  EXPECT_EQ(exit_code_for(Failure::usage), ExitCode::usage);
  EXPECT_EQ(exit_code_for(Failure::not_a_repository), ExitCode::not_a_repository);
  EXPECT_EQ(exit_code_for(Failure::invalid_input), ExitCode::bad_input);
  EXPECT_EQ(exit_code_for(Failure::corrupt), ExitCode::integrity);
  EXPECT_EQ(exit_code_for(Failure::not_found), ExitCode::missing);
  EXPECT_EQ(exit_code_for(Failure::remote), ExitCode::remote);
  EXPECT_EQ(exit_code_for(Failure::unsafe), ExitCode::unsafe);
  EXPECT_EQ(exit_code_for(Failure::conflict), ExitCode::conflict);
  EXPECT_EQ(exit_code_for(Failure::suspicious), ExitCode::suspicious);
  EXPECT_EQ(exit_code_for(Failure::interrupted), ExitCode::interrupted);
}

TEST(ExitCode, TheNumbersAreTheOnesTheDocumentLists) {
  // docs/exit-codes.md's table: "| 4 | `bad_input` | ...". The enum must say the same.
  std::ifstream doc(std::string(MLV_SOURCE_DIR) + "/docs/exit-codes.md");
  ASSERT_TRUE(doc) << "docs/exit-codes.md not found";
  std::stringstream text;
  text << doc.rdbuf();
  const std::string body = text.str();
  const std::regex row(R"(\|\s*(\d+)\s*\|\s*`(\w+)`\s*\|)");
  std::set<std::pair<int, std::string>> documented;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), row); it != std::sregex_iterator();
       ++it) {
    documented.insert({std::stoi((*it)[1]), (*it)[2]});
  }
  const auto code = [](ExitCode value) { return static_cast<int>(value); };
  const std::set<std::pair<int, std::string>> defined = {
      {code(ExitCode::ok), "ok"},
      {code(ExitCode::failure), "failure"},
      {code(ExitCode::usage), "usage"},
      {code(ExitCode::not_a_repository), "not_a_repository"},
      {code(ExitCode::bad_input), "bad_input"},
      {code(ExitCode::integrity), "integrity"},
      {code(ExitCode::missing), "missing"},
      {code(ExitCode::remote), "remote"},
      {code(ExitCode::unsafe), "unsafe"},
      {code(ExitCode::conflict), "conflict"},
      {code(ExitCode::suspicious), "suspicious"},
      {code(ExitCode::interrupted), "interrupted"}};
  EXPECT_EQ(documented, defined);
}

} // namespace
} // namespace mlv::cli
