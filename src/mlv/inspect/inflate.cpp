#include "inflate.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace mlv::inspect::decode {

namespace {

// DEFLATE's limits (RFC 1951): back-references reach 32 KiB and copy at most 258 bytes.
constexpr std::size_t k_history = 32 << 10;
constexpr std::size_t k_max_match = 258;
// Output decoded per batch before the buffer slides its history back to the start.
constexpr std::size_t k_batch = 96 << 10;
// Match copies move eight bytes at a time and may write this far past the match's end.
constexpr std::size_t k_copy_slack = 8;
constexpr std::size_t k_batch_limit = k_history + k_batch;
constexpr std::size_t k_window_size = k_batch_limit + k_max_match + k_copy_slack;

constexpr unsigned k_end_of_block = 256;
constexpr unsigned k_literal_length_symbols = 288;
constexpr unsigned k_max_literal_length_codes = 286;
constexpr unsigned k_distance_symbols = 32;
constexpr unsigned k_max_distance_codes = 30;
constexpr unsigned k_code_length_symbols = 19;

// Length symbols 257..285 and distance symbols 0..29: base values and extra bits (RFC 1951,
// 3.2.5).
constexpr std::array<std::uint16_t, 29> k_length_base = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> k_length_extra = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> k_distance_base = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> k_distance_extra = {0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                                           4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                                           9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
// The order in which a dynamic block lists the code lengths of its code-length code.
constexpr std::array<std::uint8_t, k_code_length_symbols> k_code_length_order = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

enum BlockType : std::uint32_t { stored = 0, fixed = 1, dynamic = 2 };

// The fixed codes of block type 1 (RFC 1951, 3.2.6), built once.
struct FixedCodes {
  DeflateHuffmanTable literal_length;
  DeflateHuffmanTable distance;

  FixedCodes() {
    std::array<std::uint8_t, k_literal_length_symbols> lengths{};
    std::fill(lengths.begin(), lengths.begin() + 144, 8);
    std::fill(lengths.begin() + 144, lengths.begin() + 256, 9);
    std::fill(lengths.begin() + 256, lengths.begin() + 280, 7);
    std::fill(lengths.begin() + 280, lengths.end(), 8);
    literal_length.build(lengths.data(), lengths.size());
    std::array<std::uint8_t, k_distance_symbols> distance_lengths{};
    distance_lengths.fill(5);
    distance.build(distance_lengths.data(), distance_lengths.size());
  }
};

const FixedCodes& fixed_codes() {
  static const FixedCodes codes;
  return codes;
}

// Copies a back-reference of `length` bytes from `distance` bytes back; the source may overlap
// the destination (a run).
void copy_match(unsigned char* out, std::size_t distance, std::size_t length) {
  const unsigned char* from = out - distance;
  if (distance >= k_copy_slack) {
    // Each eight-byte piece reads only bytes already written.
    for (std::size_t done = 0; done < length; done += k_copy_slack) {
      std::memcpy(out + done, from + done, k_copy_slack);
    }
  } else if (distance == 1) {
    std::memset(out, *from, length);
  } else {
    for (std::size_t i = 0; i < length; ++i) {
      out[i] = from[i];
    }
  }
}

} // namespace

Inflater::Inflater(InputBuffer& input) : input_(input), bits_(input), window_(k_window_size) {}

void Inflater::reset() {
  read_pos_ = write_pos_ = 0;
  state_ = State::block_header;
  final_block_ = false;
  stored_left_ = 0;
}

bool Inflater::decode_more() {
  make_room();
  switch (state_) {
  case State::block_header:
    read_block_header();
    return true;
  case State::stored_block:
    copy_stored();
    return true;
  case State::huffman_block:
    decode_symbols();
    return true;
  case State::done:
    break;
  }
  return false;
}

void Inflater::make_room() {
  if (write_pos_ < k_batch_limit) {
    return;
  }
  // Keep the history back-references may reach; everything before it has been read.
  const std::size_t keep = std::min(write_pos_, k_history);
  std::memmove(window_.data(), window_.data() + write_pos_ - keep, keep);
  read_pos_ = write_pos_ = keep;
}

void Inflater::read_block_header() {
  final_block_ = bits_.bits(1) != 0;
  switch (bits_.bits(2)) {
  case BlockType::stored: {
    bits_.return_unused_bytes();
    std::array<unsigned char, 4> lengths{};
    input_.read_exact(lengths.data(), lengths.size());
    const auto length = static_cast<std::uint32_t>(lengths[0] | lengths[1] << 8);
    const auto complement = static_cast<std::uint32_t>(lengths[2] | lengths[3] << 8);
    if ((length ^ 0xFFFF) != complement) {
      input_.fail_at(input_.offset() - 4, "a stored block's length and its complement disagree");
    }
    stored_left_ = length;
    state_ = State::stored_block;
    if (stored_left_ == 0) {
      end_block();
    }
    return;
  }
  case BlockType::fixed:
    literal_length_codes_ = &fixed_codes().literal_length;
    distance_codes_ = &fixed_codes().distance;
    state_ = State::huffman_block;
    return;
  case BlockType::dynamic:
    read_dynamic_codes();
    state_ = State::huffman_block;
    return;
  default:
    bits_.fail("invalid block type 3");
  }
}

void Inflater::read_dynamic_codes() {
  const unsigned literal_length_count = bits_.bits(5) + 257;
  const unsigned distance_count = bits_.bits(5) + 1;
  const unsigned code_length_count = bits_.bits(4) + 4;
  if (literal_length_count > k_max_literal_length_codes || distance_count > k_max_distance_codes) {
    bits_.fail("a dynamic block declares too many length or distance codes");
  }
  std::array<std::uint8_t, k_code_length_symbols> code_length_lengths{};
  for (unsigned i = 0; i < code_length_count; ++i) {
    code_length_lengths[k_code_length_order[i]] = static_cast<std::uint8_t>(bits_.bits(3));
  }
  DeflateHuffmanTable code_length_code;
  if (!code_length_code.build(code_length_lengths.data(), code_length_lengths.size())) {
    bits_.fail("a dynamic block's code-length code is over-subscribed");
  }

  // Literal/length and distance code lengths form one sequence, compressed with runs.
  std::array<std::uint8_t, k_max_literal_length_codes + k_max_distance_codes> lengths{};
  const unsigned total = literal_length_count + distance_count;
  for (unsigned filled = 0; filled < total;) {
    bits_.refill();
    const auto [symbol, length] = code_length_code.decode(bits_.peek());
    if (length == 0) {
      bits_.fail("invalid code-length code");
    }
    bits_.drop(length);
    bits_.check_not_past_end();
    if (symbol < 16) {
      lengths[filled++] = static_cast<std::uint8_t>(symbol);
      continue;
    }
    std::uint8_t repeated = 0;
    unsigned count = 0;
    if (symbol == 16) {
      if (filled == 0) {
        bits_.fail("a code-length repeat with no previous length");
      }
      repeated = lengths[filled - 1];
      count = 3 + bits_.bits(2);
    } else if (symbol == 17) {
      count = 3 + bits_.bits(3);
    } else {
      count = 11 + bits_.bits(7);
    }
    if (count > total - filled) {
      bits_.fail("code-length repeats run past the number of codes");
    }
    std::fill_n(lengths.begin() + filled, count, repeated);
    filled += count;
  }
  if (lengths[k_end_of_block] == 0) {
    bits_.fail("a dynamic block has no end-of-block code");
  }
  if (!dynamic_literal_length_codes_.build(lengths.data(), literal_length_count) ||
      !dynamic_distance_codes_.build(lengths.data() + literal_length_count, distance_count)) {
    bits_.fail("a dynamic block's Huffman code is over-subscribed");
  }
  literal_length_codes_ = &dynamic_literal_length_codes_;
  distance_codes_ = &dynamic_distance_codes_;
}

void Inflater::copy_stored() {
  const std::size_t want = std::min<std::size_t>(stored_left_, k_batch_limit - write_pos_);
  const std::size_t got = input_.read_some(window_.data() + write_pos_, want);
  write_pos_ += got;
  stored_left_ -= static_cast<std::uint32_t>(got);
  if (got < want) {
    input_.fail_truncated();
  }
  if (stored_left_ == 0) {
    end_block();
  }
}

void Inflater::decode_symbols() {
  unsigned char* const out = window_.data();
  const DeflateHuffmanTable& literal_length_codes = *literal_length_codes_;
  const DeflateHuffmanTable& distance_codes = *distance_codes_;
  std::size_t pos = write_pos_;
  try {
    while (pos < k_batch_limit) {
      // One refill covers a whole length/distance pair: at most 15 + 5 + 15 + 13 bits.
      bits_.refill();
      const auto [symbol, length] = literal_length_codes.decode(bits_.peek());
      if (length == 0) {
        bits_.fail("invalid literal/length code");
      }
      bits_.drop(length);
      if (symbol < k_end_of_block) {
        bits_.check_not_past_end();
        out[pos++] = static_cast<unsigned char>(symbol);
        continue;
      }
      if (symbol == k_end_of_block) {
        bits_.check_not_past_end();
        end_block();
        break;
      }
      const unsigned length_index = symbol - 257;
      if (length_index >= k_length_base.size()) {
        bits_.fail("invalid length symbol");
      }
      const unsigned length_bits = k_length_extra[length_index];
      const std::size_t match_length =
          k_length_base[length_index] + (bits_.peek() & ((1u << length_bits) - 1));
      bits_.drop(length_bits);
      const auto [distance_symbol, distance_length] = distance_codes.decode(bits_.peek());
      if (distance_length == 0 || distance_symbol >= k_distance_base.size()) {
        bits_.fail("invalid distance code");
      }
      bits_.drop(distance_length);
      const unsigned distance_bits = k_distance_extra[distance_symbol];
      const std::size_t distance =
          k_distance_base[distance_symbol] + (bits_.peek() & ((1u << distance_bits) - 1));
      bits_.drop(distance_bits);
      bits_.check_not_past_end();
      if (distance > pos) {
        bits_.fail("a back-reference reaches before the start of the data");
      }
      copy_match(out + pos, distance, match_length);
      pos += match_length;
    }
  } catch (...) {
    write_pos_ = pos;
    throw;
  }
  write_pos_ = pos;
}

void Inflater::end_block() {
  if (!final_block_) {
    state_ = State::block_header;
    return;
  }
  // The container's trailer starts at the next byte boundary.
  bits_.return_unused_bytes();
  state_ = State::done;
}

} // namespace mlv::inspect::decode
