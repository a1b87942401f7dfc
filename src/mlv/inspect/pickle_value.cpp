#include <mlv/inspect/pickle_value.hpp>

namespace mlv::inspect {

namespace {

// Values one pickle run may keep: beyond this (a hostile or enormous pickle), values are no
// longer told apart. Each costs about 150 bytes.
constexpr std::size_t k_max_values = 2'000'000;

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
  PickleValue* value = nullptr;
  if (values_.size() < k_max_values) {
    value = &values_.emplace_back();
  } else {
    exhausted_ = true;
    scratch_ = PickleValue{};
    value = &scratch_;
  }
  value->kind = kind;
  value->offset = offset;
  return value;
}

} // namespace mlv::inspect
