#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A minimal, strict JSON reader for documents mlv did not write: GCS key files, token responses,
// listings and error bodies; safetensors headers and Keras configs inside model files. Nesting is
// bounded, so hostile input cannot exhaust the stack; a member name repeated in one object is
// refused. Hand-written: see docs/parsers.md for the measurement that kept it.
namespace mlv::util {

// Malformed JSON: says what is wrong and at which byte, never quoting the input (it may be a key).
class JsonError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object };

  Type type = Type::null;
  bool boolean = false;
  std::string text; // a string's decoded UTF-8, or a number exactly as written
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members; // in document order

  // Declared here and defaulted in json_reader.cpp: clang with libstdc++ 12 cannot define them
  // implicitly while std::pair<std::string, JsonValue> is still incomplete.
  JsonValue();
  ~JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;

  bool is_object() const { return type == Type::object; }
  bool is_array() const { return type == Type::array; }
  bool is_string() const { return type == Type::string; }

  // The member named `key` of an object (names are unique: parse_json refuses repeats); nullptr
  // when absent or when this is not an object.
  const JsonValue* find(std::string_view key) const;
  // The member `key` when it is a string.
  std::optional<std::string> string_at(std::string_view key) const;
  // This value as an unsigned integer: a JSON number without sign, fraction or exponent, or a
  // decimal string; nullopt otherwise or when it exceeds 64 bits.
  std::optional<std::uint64_t> as_unsigned() const;
  // The member `key` as an unsigned integer, written as a JSON number or a decimal string (GCS
  // sends 64-bit numbers as strings).
  std::optional<std::uint64_t> unsigned_at(std::string_view key) const;
};

// Parses one JSON document (surrounding whitespace allowed); throws JsonError. A document of
// more than `max_values` values is refused: a value costs about a hundred bytes in memory, so an
// untrusted document of tiny values ("[0,0,0,...") would otherwise cost 50 times its size.
JsonValue parse_json(std::string_view text, std::size_t max_values = SIZE_MAX);

} // namespace mlv::util
