#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::util {

// A minimal JSON writer for --json output: the caller opens and closes objects and arrays in
// order; commas and string escaping are handled here.
class JsonWriter {
public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // Names the next value inside an object.
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(double number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // Inserts already-serialised JSON as the next value.
  JsonWriter& raw(std::string_view json);

  const std::string& str() const noexcept { return out_; }

private:
  void before_value();
  std::string out_;
  std::vector<bool> has_items_;
  bool after_key_ = false;
};

std::string json_quote(std::string_view text);

} // namespace mlv::util
