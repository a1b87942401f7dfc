#pragma once

// Helpers for the inspect tests: the byte-level writers of the formats tests, and checks of what
// an inspection found.

#include "../formats/test_helpers.hpp"

#include <mlv/formats/byte_source.hpp>
#include <mlv/inspect/inspect.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mlv::inspect::testing {

using namespace mlv::formats::testing;

// A file read through a counter of the bytes asked for: how a test shows that inspecting a huge
// file reads its headers, not its data (a byte count, not a wall-clock time, which load skews).
class CountingFileSource : public formats::ByteSource {
public:
  explicit CountingFileSource(const std::filesystem::path& path) : file_(path) {}
  std::uint64_t size() const override { return file_.size(); }
  std::string read_at(std::uint64_t offset, std::size_t length) const override {
    auto bytes = file_.read_at(offset, length);
    bytes_read_ += bytes.size();
    return bytes;
  }
  const std::string& name() const override { return file_.name(); }
  std::uint64_t bytes_read() const { return bytes_read_; }

private:
  formats::FileSource file_;
  mutable std::uint64_t bytes_read_ = 0;
};

// A fact's value, or a failure naming the missing key.
inline const Value& fact(const Inspection& inspection, const std::string& key) {
  static const Value k_absent = std::string("(absent)");
  const auto* value = inspection.fact(key);
  EXPECT_NE(value, nullptr) << "no fact '" << key << "'";
  return value != nullptr ? *value : k_absent;
}

inline std::uint64_t fact_number(const Inspection& inspection, const std::string& key) {
  const auto& value = fact(inspection, key);
  EXPECT_TRUE(std::holds_alternative<std::uint64_t>(value)) << key << ": " << value_text(value);
  return std::holds_alternative<std::uint64_t>(value) ? std::get<std::uint64_t>(value) : 0;
}

inline std::string fact_text(const Inspection& inspection, const std::string& key) {
  return value_text(fact(inspection, key));
}

// A field of a pointer summary (short_summary), or nullptr.
inline const Value* summary_field(const std::vector<Field>& summary, const std::string& key) {
  for (const auto& field : summary) {
    if (field.key == key) {
      return &field.value;
    }
  }
  return nullptr;
}

// A summary field as text ("3", "llama"); "(absent)" and a failure when there is none.
inline std::string summary_text(const std::vector<Field>& summary, const std::string& key) {
  const auto* value = summary_field(summary, key);
  EXPECT_NE(value, nullptr) << "no summary field '" << key << "'";
  return value != nullptr ? value_text(*value) : "(absent)";
}

// A summary field that is a list of names; empty and a failure when it is not one.
inline std::vector<std::string> summary_list(const std::vector<Field>& summary,
                                             const std::string& key) {
  const auto* value = summary_field(summary, key);
  const auto* items = value != nullptr ? std::get_if<std::vector<std::string>>(value) : nullptr;
  EXPECT_NE(items, nullptr) << "no list '" << key << "' in the summary";
  return items != nullptr ? *items : std::vector<std::string>{};
}

// The message of the Error(bad_input) that inspecting `bytes` (as a file named `name`) throws;
// a failure when it throws nothing or something else.
inline std::string bad_input_message(const std::string& bytes, const std::string& name) {
  try {
    inspect_source(mlv::formats::MemorySource(bytes, name), name);
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input) << error.what();
    EXPECT_NE(std::string(error.what()).find(name), std::string::npos)
        << "the message does not name the file: " << error.what();
    return error.what();
  }
  ADD_FAILURE() << name << ": no error";
  return {};
}

} // namespace mlv::inspect::testing
