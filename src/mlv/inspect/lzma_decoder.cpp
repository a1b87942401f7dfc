#include "lzma_decoder.hpp"

#include <algorithm>

namespace mlv::inspect::decode {

namespace {

constexpr unsigned k_max_properties_byte = 9 * 5 * 5 - 1;
constexpr unsigned k_literal_coder_size = 0x300;
constexpr unsigned k_min_match = 2;
// States 0-6 follow a literal, 7-11 a match; these are the transitions of LZMA's state machine.
constexpr unsigned k_literal_states = 7;
constexpr std::uint32_t k_end_marker_distance = 0xFFFFFFFF;

unsigned after_literal(unsigned state) {
  return state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
}
unsigned after_match(unsigned state) {
  return state < k_literal_states ? 7 : 10;
}
unsigned after_rep(unsigned state) {
  return state < k_literal_states ? 8 : 11;
}
unsigned after_short_rep(unsigned state) {
  return state < k_literal_states ? 9 : 11;
}

template <typename Container>
void fill_probabilities(Container& container) {
  for (auto& element : container) {
    if constexpr (std::is_same_v<std::decay_t<decltype(element)>, RangeDecoder::Probability>) {
      element = RangeDecoder::k_initial_probability;
    } else {
      fill_probabilities(element);
    }
  }
}

} // namespace

std::optional<LzmaProperties> parse_lzma_properties(unsigned byte) {
  if (byte > k_max_properties_byte) {
    return std::nullopt;
  }
  LzmaProperties properties;
  properties.lc = byte % 9;
  byte /= 9;
  properties.lp = byte % 5;
  properties.pb = byte / 5;
  return properties;
}

void RangeDecoder::start(std::uint64_t budget) {
  budget_ = budget;
  range_ = 0xFFFFFFFF;
  // The encoder's first byte is always zero.
  if (next_byte() != 0) {
    input_.fail_at(input_.offset() - 1, "the range coder's first byte is not zero");
  }
  code_ = 0;
  for (int i = 0; i < 4; ++i) {
    code_ = (code_ << 8) | next_byte();
  }
  if (code_ == range_) {
    input_.fail("invalid range coder start");
  }
}

std::uint32_t RangeDecoder::direct_bits(unsigned count) {
  std::uint32_t value = 0;
  for (unsigned i = 0; i < count; ++i) {
    range_ >>= 1;
    const unsigned b = code_ >= range_ ? 1 : 0;
    code_ -= range_ & (0u - b);
    value = (value << 1) | b;
    normalize();
  }
  return value;
}

void LzmaDecoder::set_properties(const LzmaProperties& properties) {
  properties_ = properties;
  literal_.assign(std::size_t{k_literal_coder_size} << (properties.lc + properties.lp),
                  RangeDecoder::k_initial_probability);
  reset_state();
}

void LzmaDecoder::reset_state() {
  std::fill(literal_.begin(), literal_.end(), RangeDecoder::k_initial_probability);
  fill_probabilities(is_match_);
  fill_probabilities(is_rep_);
  fill_probabilities(is_rep_g0_);
  fill_probabilities(is_rep_g1_);
  fill_probabilities(is_rep_g2_);
  fill_probabilities(is_rep0_long_);
  fill_probabilities(pos_slot_);
  fill_probabilities(pos_special_);
  fill_probabilities(align_);
  for (LengthModel* model : {&match_length_, &rep_length_}) {
    model->choice = model->choice_2 = RangeDecoder::k_initial_probability;
    fill_probabilities(model->low);
    fill_probabilities(model->mid);
    fill_probabilities(model->high);
  }
  state_ = 0;
  reps_ = {};
  match_left_ = 0;
}

unsigned char LzmaDecoder::decode_literal(const LzmaDictionary& dictionary) {
  const unsigned previous = dictionary.empty() ? 0 : dictionary.back(1);
  const auto position_bits =
      static_cast<unsigned>(dictionary.total() & ((1u << properties_.lp) - 1));
  const unsigned context = (position_bits << properties_.lc) + (previous >> (8 - properties_.lc));
  Probability* probabilities = literal_.data() + std::size_t{k_literal_coder_size} * context;
  unsigned symbol = 1;
  if (state_ >= k_literal_states) {
    // After a match, the byte at the last distance predicts this one until a bit differs.
    if (!dictionary.reaches(std::uint64_t{reps_[0]} + 1)) {
      range_.fail("a literal refers to data before the start of the dictionary");
    }
    unsigned match_byte = dictionary.back(reps_[0] + 1);
    while (symbol < 0x100) {
      const unsigned match_bit = (match_byte >> 7) & 1;
      match_byte <<= 1;
      const unsigned b = range_.bit(probabilities[((1 + match_bit) << 8) + symbol]);
      symbol = (symbol << 1) | b;
      if (b != match_bit) {
        break;
      }
    }
  }
  while (symbol < 0x100) {
    symbol = (symbol << 1) | range_.bit(probabilities[symbol]);
  }
  return static_cast<unsigned char>(symbol - 0x100);
}

unsigned LzmaDecoder::decode_length(LengthModel& model, unsigned pos_state) {
  if (range_.bit(model.choice) == 0) {
    return range_.tree(model.low[pos_state].data(), 3);
  }
  if (range_.bit(model.choice_2) == 0) {
    return 8 + range_.tree(model.mid[pos_state].data(), 3);
  }
  return 16 + range_.tree(model.high.data(), 8);
}

std::uint32_t LzmaDecoder::decode_distance(unsigned length) {
  const unsigned length_state = std::min(length, k_length_states - 1);
  const unsigned slot = range_.tree(pos_slot_[length_state].data(), k_pos_slot_bits);
  if (slot < 4) {
    return slot;
  }
  const unsigned direct = (slot >> 1) - 1;
  std::uint32_t distance = (2 | (slot & 1)) << direct;
  if (slot < k_end_pos_model) {
    return distance + range_.reverse_tree(pos_special_.data() + distance - slot, direct);
  }
  distance += range_.direct_bits(direct - k_align_bits) << k_align_bits;
  return distance + range_.reverse_tree(align_.data(), k_align_bits);
}

std::size_t LzmaDecoder::copy_match(LzmaDictionary& dictionary, std::size_t limit) {
  const auto count = static_cast<std::uint32_t>(std::min<std::size_t>(match_left_, limit));
  dictionary.copy_back(reps_[0] + 1, count);
  match_left_ -= count;
  return count;
}

bool LzmaDecoder::decode(LzmaDictionary& dictionary, std::size_t limit) {
  std::size_t written = copy_match(dictionary, limit);
  const unsigned pos_mask = (1u << properties_.pb) - 1;
  while (written < limit) {
    const auto pos_state = static_cast<unsigned>(dictionary.total() & pos_mask);
    if (range_.bit(is_match_[state_][pos_state]) == 0) {
      dictionary.put(decode_literal(dictionary));
      state_ = after_literal(state_);
      ++written;
      continue;
    }
    unsigned length = 0;
    if (range_.bit(is_rep_[state_]) == 0) {
      length = decode_length(match_length_, pos_state);
      state_ = after_match(state_);
      const std::uint32_t distance = decode_distance(length);
      if (distance == k_end_marker_distance) {
        return true;
      }
      reps_ = {distance, reps_[0], reps_[1], reps_[2]};
    } else {
      if (range_.bit(is_rep_g0_[state_]) == 0) {
        if (range_.bit(is_rep0_long_[state_][pos_state]) == 0) {
          // A single byte from the last distance.
          if (!dictionary.reaches(std::uint64_t{reps_[0]} + 1)) {
            range_.fail("a repeated byte refers to data before the start of the dictionary");
          }
          state_ = after_short_rep(state_);
          dictionary.put(dictionary.back(reps_[0] + 1));
          ++written;
          continue;
        }
      } else {
        std::uint32_t distance = 0;
        if (range_.bit(is_rep_g1_[state_]) == 0) {
          distance = reps_[1];
        } else if (range_.bit(is_rep_g2_[state_]) == 0) {
          distance = reps_[2];
          reps_[2] = reps_[1];
        } else {
          distance = reps_[3];
          reps_[3] = reps_[2];
          reps_[2] = reps_[1];
        }
        reps_[1] = reps_[0];
        reps_[0] = distance;
      }
      length = decode_length(rep_length_, pos_state);
      state_ = after_rep(state_);
    }
    if (!dictionary.reaches(std::uint64_t{reps_[0]} + 1)) {
      range_.fail("a match refers to data before the start of the dictionary");
    }
    match_left_ = length + k_min_match;
    written += copy_match(dictionary, limit - written);
  }
  return false;
}

bool LzmaDecoder::read_end_marker(const LzmaDictionary& dictionary) {
  const auto pos_state = static_cast<unsigned>(dictionary.total() & ((1u << properties_.pb) - 1));
  if (range_.bit(is_match_[state_][pos_state]) == 0 || range_.bit(is_rep_[state_]) != 0) {
    return false;
  }
  const unsigned length = decode_length(match_length_, pos_state);
  return decode_distance(length) == k_end_marker_distance;
}

} // namespace mlv::inspect::decode
