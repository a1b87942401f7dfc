#include <mlv/formats/pickle_value.hpp>

namespace mlv::formats {

namespace {

// Values one pickle run keeps (about 150 bytes each): beyond the first budget only text, bytes
// and globals are kept, up to the second; beyond that none (a hostile or enormous pickle).
constexpr std::size_t k_max_values = 1'000'000;
constexpr std::size_t k_max_name_values = 3'000'000;

} // namespace

const PickleValue* PickleValue::get(std::string_view key) const {
  if (kind != Kind::dict) {
    return nullptr;
  }
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i]->is_text(key)) {
      return items[i + 1];
    }
  }
  return nullptr;
}

PickleValue* PickleArena::make(PickleValue::Kind kind, std::uint64_t offset) {
  const bool names = kind == PickleValue::Kind::text || kind == PickleValue::Kind::bytes ||
                     kind == PickleValue::Kind::global;
  PickleValue* value = nullptr;
  if (values_.size() < k_max_values || (names && values_.size() < k_max_name_values)) {
    value = &values_.emplace_back();
  } else {
    exhausted_ = true;
    discard_ = PickleValue{};
    value = &discard_;
  }
  value->kind = kind;
  value->offset = offset;
  return value;
}

} // namespace mlv::formats
