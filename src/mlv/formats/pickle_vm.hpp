#pragma once

// Private to the formats module: the machine behind run_pickle(). Its state and helpers are in
// pickle_vm.cpp, the opcodes it executes in pickle_opcodes.cpp.

#include "pickle_memo.hpp"

#include <mlv/formats/pickle_machine.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlv::formats {

class PickleVm {
public:
  PickleVm(PickleInput& input, PickleHooks& hooks);
  PickleRun run();

private:
  using Kind = PickleValue::Kind;
  // What one opcode did to the run.
  enum class Step { next, stop, truncated, invalid };

  Step execute(unsigned char op, std::uint64_t at);

  // The stack, marks and memo, as CPython's unpickler keeps them. Below the innermost mark
  // nothing can be popped: an unpickler fails there; the machine goes on with unknown values.
  std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(PickleValue* value);
  PickleValue* pop();
  PickleValue* top() { return stack_.size() > fence() ? stack_.back() : unknown_; }
  // The values above the innermost mark, in a buffer the next call reuses.
  std::vector<PickleValue*>& pop_mark();
  void memo_put(std::uint64_t slot, PickleValue* value);
  PickleValue* memo_get(std::uint64_t slot) const;

  // Values.
  static void add_items(PickleValue& container, const std::vector<PickleValue*>& items);
  PickleValue* make_container(Kind kind, const std::vector<PickleValue*>& items, std::uint64_t at);
  PickleValue* make_integer(std::optional<std::int64_t> number, std::uint64_t at);
  PickleValue* make_global(std::string module, std::string name, bool known, std::uint64_t at);
  void call(PickleValue* callable, PickleValue* args, std::uint64_t at);
  // Opcode `op` changes the value on top of the stack: reported when that is a global.
  void changing(unsigned char op, std::uint64_t at) {
    if (top()->kind == Kind::global) {
      hooks_.on_global_changed(*top(), static_cast<char>(op), at);
    }
  }

  // Arguments: read into argument_.
  bool fixed(std::size_t n);
  std::uint64_t little_endian(std::size_t n) const;
  bool line();
  std::uint64_t keep_for(std::uint64_t length);
  Step string_value(Kind kind, std::uint64_t length, std::uint64_t at);
  Step counted_string(Kind kind, std::size_t width, std::uint64_t at);
  Step long_value(std::size_t width, std::uint64_t at);
  Step text_value(Kind kind, std::string text, std::uint64_t at);
  Step two_lines(std::string& first, std::string& second);
  Step memo_index_line(bool put);
  Step memo_index_fixed(std::size_t width, bool put);
  std::uint64_t frame_left() const;

  PickleInput& input_;
  PickleHooks& hooks_;
  std::shared_ptr<PickleArena> arena_;
  PickleValue* unknown_ = nullptr; // shared by every value not modelled; never changed
  PickleValue* none_ = nullptr;
  PickleValue* true_ = nullptr;
  PickleValue* false_ = nullptr;
  std::vector<PickleValue*> small_integers_; // 0..255, shared
  std::vector<PickleValue*> stack_;
  std::vector<std::size_t> marks_;
  std::vector<PickleValue*> marked_;
  PickleMemo memo_;
  bool forgot_ = false;
  std::string argument_;
  std::uint64_t kept_ = 0;
  std::uint64_t frame_end_ = 0;
  int protocol_ = -1;
  bool binary_seen_ = false;
};

} // namespace mlv::formats
