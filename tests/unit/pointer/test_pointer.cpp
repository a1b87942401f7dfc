#include <mlv/pointer/pointer.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using mlv::pointer::parse_pointer;
using mlv::pointer::serialize_pointer;

const std::string k_id(64, 'a');

std::string valid_file_pointer() {
  return "# mlv pointer\nversion: 1\npath: model.joblib\nkind: file\nsha256: " + k_id +
         "\nsize: 10857\nformat: joblib\nmeta:\n  metrics:\n    accuracy: 0.93\n  owner: alice\n";
}

// Expects parse to fail with bad_input and a message naming the source and the field.
void expect_rejected(const std::string& text, const std::string& field) {
  try {
    (void)parse_pointer(text, "models/m.bin.mlv");
    FAIL() << "accepted a pointer with a bad '" << field << "'";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.code(), mlv::ExitCode::bad_input);
    const std::string message = error.what();
    EXPECT_NE(message.find("models/m.bin.mlv"), std::string::npos) << message;
    EXPECT_NE(message.find(field), std::string::npos) << message;
  }
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(Pointer, RoundTripsAFilePointerWithMetadata) {
  const auto pointer = parse_pointer(valid_file_pointer(), "m.mlv");
  EXPECT_EQ(pointer.path, "model.joblib");
  EXPECT_EQ(pointer.kind, mlv::pointer::Kind::file);
  EXPECT_EQ(pointer.size, 10857u);
  EXPECT_EQ(pointer.format, "joblib");
  EXPECT_EQ(pointer.meta["metrics"]["accuracy"].as<double>(), 0.93);
  const auto text = serialize_pointer(pointer);
  const auto again = parse_pointer(text, "m.mlv");
  EXPECT_EQ(serialize_pointer(again), text) << "serialisation must be byte-stable";
  EXPECT_EQ(again.meta["owner"].as<std::string>(), "alice");
  EXPECT_EQ(text.rfind("# mlv pointer", 0), 0u) << "a comment line on top";
}

TEST(Pointer, KeepsFixedKeyOrderAndUnknownKeys) {
  const auto text = "version: 1\nzeta: 3\npath: d\nkind: dir\nsha256: " + k_id +
                    "\nsize: 5\nfiles: 2\nalpha: {x: 1}\n";
  const auto pointer = parse_pointer(text, "d.mlv");
  ASSERT_TRUE(pointer.files.has_value());
  EXPECT_EQ(*pointer.files, 2u);
  const auto written = serialize_pointer(pointer);
  EXPECT_LT(written.find("version:"), written.find("path:"));
  EXPECT_LT(written.find("path:"), written.find("kind:"));
  EXPECT_LT(written.find("size:"), written.find("files:"));
  EXPECT_NE(written.find("zeta: 3"), std::string::npos);
  EXPECT_LT(written.find("zeta"), written.find("alpha")) << "unknown keys keep their order";
  EXPECT_EQ(parse_pointer(written, "d.mlv").extra["alpha"]["x"].as<int>(), 1);
}

TEST(Pointer, RejectsInvalidYaml) {
  expect_rejected("version: 1\npath: [unclosed\n", "not valid YAML");
}

TEST(Pointer, RejectsANonMap) {
  expect_rejected("- just\n- a list\n", "not an mlv pointer");
}

TEST(Pointer, RejectsAMissingId) {
  expect_rejected(replace(valid_file_pointer(), "sha256: " + k_id + "\n", ""), "sha256");
}

TEST(Pointer, RejectsANonHexId) {
  expect_rejected(replace(valid_file_pointer(), k_id, std::string(64, 'z')), "sha256");
  expect_rejected(replace(valid_file_pointer(), k_id, std::string(64, 'A')), "sha256");
  expect_rejected(replace(valid_file_pointer(), k_id, "abc"), "sha256");
}

TEST(Pointer, RejectsANegativeOrNonNumericSize) {
  expect_rejected(replace(valid_file_pointer(), "size: 10857", "size: -5"), "size");
  expect_rejected(replace(valid_file_pointer(), "size: 10857", "size: big"), "size");
  expect_rejected(replace(valid_file_pointer(), "size: 10857\n", ""), "size");
}

TEST(Pointer, RejectsPathsThatLeaveThePointersFolder) {
  expect_rejected(replace(valid_file_pointer(), "path: model.joblib", "path: ../../etc/passwd"),
                  "path");
  expect_rejected(replace(valid_file_pointer(), "path: model.joblib", "path: a/../../b"), "path");
  expect_rejected(replace(valid_file_pointer(), "path: model.joblib", "path: /etc/passwd"), "path");
  expect_rejected(replace(valid_file_pointer(), "path: model.joblib", "path: ''"), "path");
  expect_rejected(replace(valid_file_pointer(), "path: model.joblib", "path: a\\\\b"), "path");
}

TEST(Pointer, RejectsUnknownKindAndVersion) {
  expect_rejected(replace(valid_file_pointer(), "kind: file", "kind: link"), "kind");
  expect_rejected(replace(valid_file_pointer(), "version: 1", "version: 2"), "version");
  expect_rejected(replace(valid_file_pointer(), "version: 1\n", ""), "version");
}

TEST(Pointer, RejectsFileCountsOnTheWrongKind) {
  expect_rejected(replace(valid_file_pointer(), "size: 10857", "size: 10857\nfiles: 3"), "files");
  expect_rejected(replace(valid_file_pointer(), "kind: file", "kind: dir"), "files");
}

TEST(Pointer, RejectsMetaThatIsNotAMap) {
  const auto text =
      "version: 1\npath: m\nkind: file\nsha256: " + k_id + "\nsize: 1\nmeta: [1, 2]\n";
  expect_rejected(text, "meta");
}

TEST(Pointer, PathHelpers) {
  EXPECT_EQ(mlv::pointer::pointer_path_for("models/a.bin").generic_string(), "models/a.bin.mlv");
  EXPECT_TRUE(mlv::pointer::is_pointer_path("models/a.bin.mlv"));
  EXPECT_FALSE(mlv::pointer::is_pointer_path("models/a.bin"));
  EXPECT_FALSE(mlv::pointer::is_pointer_path(".mlv"));
}

} // namespace
