#pragma once

// Private to the inspect module's decompressors: the LZMA decoder (range coder, literals,
// matches and repeated matches) shared by the .lzma ("alone") format and xz's LZMA2 chunks.

#include "input_buffer.hpp"
#include "lzma_dictionary.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace mlv::inspect::decode {

// The literal context bits (lc), literal position bits (lp) and position bits (pb).
struct LzmaProperties {
  unsigned lc = 3;
  unsigned lp = 0;
  unsigned pb = 2;
};

// Decodes the properties byte (pb * 5 + lp) * 9 + lc; nullopt when it is out of range.
std::optional<LzmaProperties> parse_lzma_properties(unsigned byte);

// The binary range decoder with adaptive 11-bit probabilities.
class RangeDecoder {
public:
  using Probability = std::uint16_t;
  static constexpr Probability k_initial_probability = 1 << 10;

  explicit RangeDecoder(InputBuffer& input) : input_(input) {}

  // Starts on compressed data of at most `budget` bytes (an LZMA2 chunk), or unbounded.
  void start(std::uint64_t budget = UINT64_MAX);
  // Whether the data ended cleanly: the budget used up exactly and the code value zero.
  bool finished_exactly() const { return budget_ == 0 && code_ == 0; }
  bool code_is_zero() const { return code_ == 0; }

  unsigned bit(Probability& probability) {
    const std::uint32_t bound = (range_ >> k_probability_bits) * probability;
    unsigned bit = 0;
    if (code_ < bound) {
      range_ = bound;
      probability = static_cast<Probability>(
          probability + (((1u << k_probability_bits) - probability) >> k_adaptation_shift));
    } else {
      range_ -= bound;
      code_ -= bound;
      probability = static_cast<Probability>(probability - (probability >> k_adaptation_shift));
      bit = 1;
    }
    normalize();
    return bit;
  }
  // `count` bits of equal probability, most significant first.
  std::uint32_t direct_bits(unsigned count);

  // A symbol of `bits` bits coded as a binary tree, most significant bit first.
  unsigned tree(Probability* probabilities, unsigned bits) {
    unsigned node = 1;
    for (unsigned i = 0; i < bits; ++i) {
      node = (node << 1) | bit(probabilities[node]);
    }
    return node - (1u << bits);
  }
  // The same with the bits least significant first.
  unsigned reverse_tree(Probability* probabilities, unsigned bits) {
    unsigned node = 1;
    unsigned symbol = 0;
    for (unsigned i = 0; i < bits; ++i) {
      const unsigned b = bit(probabilities[node]);
      node = (node << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  }

  [[noreturn]] void fail(std::string_view what) const { input_.fail(what); }

private:
  static constexpr unsigned k_probability_bits = 11;
  static constexpr unsigned k_adaptation_shift = 5;
  static constexpr std::uint32_t k_top = 1u << 24;

  void normalize() {
    if (range_ < k_top) {
      range_ <<= 8;
      code_ = (code_ << 8) | next_byte();
    }
  }
  std::uint32_t next_byte() {
    if (budget_ == 0) {
      input_.fail("the compressed chunk runs past its stated size");
    }
    --budget_;
    return input_.byte();
  }

  InputBuffer& input_;
  std::uint32_t range_ = 0;
  std::uint32_t code_ = 0;
  std::uint64_t budget_ = 0;
};

// LZMA proper: its probability model and the decoding of symbols into a dictionary.
class LzmaDecoder {
public:
  explicit LzmaDecoder(InputBuffer& input) : range_(input) {}

  RangeDecoder& range_decoder() { return range_; }

  // New properties; resets the state too.
  void set_properties(const LzmaProperties& properties);
  // Resets the probabilities, the state and the repeated distances.
  void reset_state();

  // Decodes into `dictionary` until `limit` bytes are written (limit ≤ start_batch's room) or an
  // end-of-stream marker is read: then returns true. A match that does not fit is finished by the
  // next call.
  bool decode(LzmaDictionary& dictionary, std::size_t limit);
  // Bytes of a match still to copy.
  std::uint32_t match_left() const { return match_left_; }
  // Decodes one symbol that must be the end-of-stream marker; false if it is anything else.
  bool read_end_marker(const LzmaDictionary& dictionary);

private:
  using Probability = RangeDecoder::Probability;
  static constexpr unsigned k_states = 12;
  static constexpr unsigned k_max_pos_states = 16;
  static constexpr unsigned k_length_states = 4; // distance models by match length 2, 3, 4, 5+
  static constexpr unsigned k_pos_slot_bits = 6;
  static constexpr unsigned k_end_pos_model = 14; // slots from here on use direct bits
  static constexpr unsigned k_full_distances = 128;
  static constexpr unsigned k_align_bits = 4;

  struct LengthModel {
    Probability choice;
    Probability choice_2;
    std::array<std::array<Probability, 8>, k_max_pos_states> low;
    std::array<std::array<Probability, 8>, k_max_pos_states> mid;
    std::array<Probability, 256> high;
  };

  unsigned char decode_literal(const LzmaDictionary& dictionary);
  unsigned decode_length(LengthModel& model, unsigned pos_state);
  std::uint32_t decode_distance(unsigned length);
  std::size_t copy_match(LzmaDictionary& dictionary, std::size_t limit);

  RangeDecoder range_;
  LzmaProperties properties_;
  unsigned state_ = 0;
  std::array<std::uint32_t, 4> reps_{}; // the last four distances, minus one
  std::uint32_t match_left_ = 0;

  std::vector<Probability> literal_;
  std::array<std::array<Probability, k_max_pos_states>, k_states> is_match_{};
  std::array<Probability, k_states> is_rep_{};
  std::array<Probability, k_states> is_rep_g0_{};
  std::array<Probability, k_states> is_rep_g1_{};
  std::array<Probability, k_states> is_rep_g2_{};
  std::array<std::array<Probability, k_max_pos_states>, k_states> is_rep0_long_{};
  std::array<std::array<Probability, 1u << k_pos_slot_bits>, k_length_states> pos_slot_{};
  std::array<Probability, 1 + k_full_distances - k_end_pos_model> pos_special_{};
  std::array<Probability, 1u << k_align_bits> align_{};
  LengthModel match_length_{};
  LengthModel rep_length_{};
};

} // namespace mlv::inspect::decode
