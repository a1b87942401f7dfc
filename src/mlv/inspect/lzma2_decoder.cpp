#include "lzma2_decoder.hpp"

#include <algorithm>
#include <array>

namespace mlv::inspect::decode {

namespace {

// The control byte that opens each chunk.
constexpr unsigned k_end_of_data = 0x00;
constexpr unsigned k_stored_with_dictionary_reset = 0x01;
constexpr unsigned k_stored = 0x02;
constexpr unsigned k_lzma_chunk = 0x80;
// Bits 5-6 of an LZMA chunk's control byte.
enum Reset : unsigned { nothing = 0, state = 1, state_and_properties = 2, everything = 3 };
constexpr unsigned k_max_lc_plus_lp = 4;

} // namespace

void Lzma2Decoder::start(std::uint32_t dictionary_size) {
  if (!dictionary_ || dictionary_->size() != dictionary_size) {
    dictionary_ = std::make_unique<LzmaDictionary>(dictionary_size);
  }
  chunk_ = Chunk::none;
  chunk_left_ = 0;
  need_dictionary_reset_ = true;
  need_properties_ = true;
  ended_ = false;
}

bool Lzma2Decoder::decode_more() {
  if (ended_) {
    return false;
  }
  if (chunk_left_ == 0) {
    finish_chunk();
    read_chunk_header();
    return !ended_;
  }
  const std::size_t room = std::min<std::size_t>(dictionary_->start_batch(), chunk_left_);
  if (chunk_ == Chunk::stored) {
    const std::size_t got = input_.read_some(dictionary_->write_area(), room);
    dictionary_->commit(got);
    chunk_left_ -= static_cast<std::uint32_t>(got);
    if (got < room) {
      input_.fail_truncated();
    }
    return true;
  }
  const std::uint64_t before = dictionary_->total();
  if (lzma_.decode(*dictionary_, room)) {
    input_.fail("an end marker inside LZMA2 data");
  }
  chunk_left_ -= static_cast<std::uint32_t>(dictionary_->total() - before);
  return true;
}

void Lzma2Decoder::finish_chunk() {
  if (chunk_ == Chunk::lzma &&
      (lzma_.match_left() != 0 || !lzma_.range_decoder().finished_exactly())) {
    input_.fail("an LZMA2 chunk's compressed size does not match its data");
  }
  chunk_ = Chunk::none;
}

void Lzma2Decoder::read_chunk_header() {
  const std::uint64_t offset = input_.offset();
  const unsigned control = input_.byte();
  if (control == k_end_of_data) {
    ended_ = true;
    return;
  }
  const auto big_endian_16 = [&] {
    const unsigned high = input_.byte();
    return (high << 8) | input_.byte();
  };
  if (control == k_stored_with_dictionary_reset || control == k_stored) {
    if (control == k_stored_with_dictionary_reset) {
      dictionary_->reset();
      need_dictionary_reset_ = false;
      need_properties_ = true; // the next LZMA chunk must restate them
    } else if (need_dictionary_reset_) {
      input_.fail_at(offset, "the first LZMA2 chunk does not reset the dictionary");
    }
    chunk_left_ = big_endian_16() + 1;
    chunk_ = Chunk::stored;
    return;
  }
  if (control < k_lzma_chunk) {
    input_.fail_at(offset, "invalid LZMA2 chunk type");
  }
  const unsigned reset = (control >> 5) & 3;
  if (need_dictionary_reset_ && reset != Reset::everything) {
    input_.fail_at(offset, "the first LZMA2 chunk does not reset the dictionary");
  }
  const std::uint32_t unpacked = ((control & 0x1F) << 16) + big_endian_16() + 1;
  const std::uint32_t packed = big_endian_16() + 1;
  if (reset == Reset::everything) {
    dictionary_->reset();
    need_dictionary_reset_ = false;
  }
  if (reset >= Reset::state_and_properties) {
    const auto properties = parse_lzma_properties(input_.byte());
    if (!properties || properties->lc + properties->lp > k_max_lc_plus_lp) {
      input_.fail("invalid LZMA2 properties");
    }
    lzma_.set_properties(*properties);
    need_properties_ = false;
  } else if (need_properties_) {
    input_.fail_at(offset, "an LZMA2 chunk without the properties it needs");
  } else if (reset == Reset::state) {
    lzma_.reset_state();
  }
  lzma_.range_decoder().start(packed);
  chunk_left_ = unpacked;
  chunk_ = Chunk::lzma;
}

} // namespace mlv::inspect::decode
