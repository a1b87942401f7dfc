#include "readers.hpp"

#include <cstdio>

namespace mlv::inspect {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

// The length of the well-formed UTF-8 sequence starting at `pos` (RFC 3629), or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  std::size_t length = lead < 0x80                    ? 1
                       : lead >= 0xC2 && lead <= 0xDF ? 2
                       : lead >= 0xE0 && lead <= 0xEF ? 3
                       : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                      : 0;
  if (length == 0 || pos + length > text.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return 0;
    }
  }
  // Overlong forms, surrogates and code points past U+10FFFF.
  if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F) ||
      (lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F)) {
    return 0;
  }
  return length;
}

void make_safe(std::string& text) {
  std::string out;
  bool changed = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t length = utf8_sequence(text, pos);
    const char c = text[pos];
    const bool control =
        length == 1 &&
        ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7F);
    if (length == 0 || control) {
      out += k_replacement;
      changed = true;
      pos += 1;
    } else {
      out.append(text, pos, length);
      pos += length;
    }
  }
  if (changed) {
    text = std::move(out);
  }
}

void make_safe(Value& value) {
  if (auto* text = std::get_if<std::string>(&value)) {
    make_safe(*text);
  } else if (auto* list = std::get_if<std::vector<std::string>>(&value)) {
    for (auto& item : *list) {
      make_safe(item);
    }
  }
}

void make_safe(std::vector<Tensor>& tensors) {
  for (auto& tensor : tensors) {
    make_safe(tensor.name);
    make_safe(tensor.dtype);
    for (auto& dimension : tensor.shape) {
      if (auto* symbol = std::get_if<std::string>(&dimension)) {
        make_safe(*symbol);
      }
    }
  }
}

} // namespace

const Value* Inspection::fact(std::string_view key) const {
  for (const auto& field : facts) {
    if (field.key == key) {
      return &field.value;
    }
  }
  return nullptr;
}

std::string value_text(const Value& value) {
  struct Visitor {
    std::string operator()(const std::string& text) const { return text; }
    std::string operator()(std::int64_t number) const { return std::to_string(number); }
    std::string operator()(std::uint64_t number) const { return std::to_string(number); }
    std::string operator()(double number) const {
      char text[32];
      std::snprintf(text, sizeof text, "%g", number);
      return text;
    }
    std::string operator()(bool flag) const { return flag ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& items) const {
      std::string out;
      for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
      }
      return out;
    }
    std::string operator()(const std::vector<std::int64_t>& sizes) const {
      return shape_text({sizes.begin(), sizes.end()});
    }
  };
  return std::visit(Visitor{}, value);
}

std::string shape_text(const std::vector<Dimension>& shape) {
  std::string out = "[";
  for (const auto& dimension : shape) {
    out += out.size() > 1 ? ", " : "";
    out += std::holds_alternative<std::int64_t>(dimension)
               ? std::to_string(std::get<std::int64_t>(dimension))
               : std::get<std::string>(dimension);
  }
  return out + "]";
}

namespace reader {

void make_text_safe(Inspection& inspection) {
  for (auto* fields : {&inspection.facts, &inspection.metadata}) {
    for (auto& field : *fields) {
      make_safe(field.key);
      make_safe(field.value);
    }
  }
  for (auto* tensors :
       {&inspection.tensors, &inspection.inputs, &inspection.outputs, &inspection.arrays}) {
    make_safe(*tensors);
  }
  for (auto& name : inspection.classes) {
    make_safe(name);
  }
}

} // namespace reader

} // namespace mlv::inspect
