#include "pickle_vm.hpp"

#include "pickle_opcodes.hpp"
#include "pickle_text.hpp"

#include <algorithm>

namespace mlv::formats {

namespace {

using Kind = PickleValue::Kind;

// Text and bytes are kept whole up to this size; longer ones keep their start (names, dict keys
// and dtype codes are all short).
constexpr std::uint64_t k_keep_text = 64 << 10;
// Bytes that start like a pickle are kept up to this size, for a scan of the pickle they hold.
constexpr std::uint64_t k_keep_payload = 16 << 20;
// All content one run keeps; past it each string keeps only its first bytes.
constexpr std::uint64_t k_keep_total = 64 << 20;
constexpr std::uint64_t k_keep_after_budget = 256;
// Items kept per container: enough for every tuple and dict an inspection reads.
constexpr std::size_t k_max_items = 4096;
// Stack entries kept; past them the bottom of the stack is forgotten (references are still
// reported as they are read).
constexpr std::size_t k_max_stack = 1 << 22;
// Argument lines (protocol 0) are kept up to this length.
constexpr std::size_t k_max_line = 64 << 10;
// Integers 0..255 (BININT1, the commonest) are shared values rather than one each.
constexpr std::size_t k_shared_integers = 256;

bool looks_like_pickle(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == opcode::PROTO &&
         static_cast<unsigned char>(head[1]) <= opcode::k_highest_protocol;
}

// The callables whose result the machine can tell: bytes built from constants, as protocols 0-2
// spell bytes and as a payload for a nested pickle.loads may be spelt.
bool makes_bytes(const std::string& name) {
  return name == "_codecs.encode" || name == "codecs.encode" || name == "builtins.bytearray" ||
         name == "__builtin__.bytearray" || name == "builtins.bytes" || name == "__builtin__.bytes";
}

// bytes(list_of_ints), bytearray(tuple_of_ints): nothing when an item is no known 0..255.
std::optional<std::string> bytes_of_integers(const PickleValue& items) {
  if (!items.complete) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(items.items.size());
  for (const auto* item : items.items) {
    if (item->kind != Kind::integer || !item->complete || item->integer < 0 ||
        item->integer > 0xFF) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(item->integer));
  }
  return out;
}

// The result of _codecs.encode(text, encoding), bytes(text, encoding), bytes(list_of_ints) and
// bytearray(...) is bytes whose content is known, so a payload handed to pickle.loads can be
// scanned too. A result that cannot be evaluated stays an object (unknown content).
void evaluate_bytes(PickleValue& result) {
  if (result.callable->kind != Kind::global || !makes_bytes(result.callable->dotted_name()) ||
      result.args == nullptr) {
    return;
  }
  const PickleValue* source = result.args->item(0);
  const PickleValue* encoding = result.args->item(1);
  if (source == nullptr) {
    return;
  }
  std::optional<std::string> bytes;
  bool complete = source->complete;
  if (source->kind == Kind::bytes) {
    bytes = source->text;
  } else if (source->kind == Kind::text) {
    if (encoding == nullptr) {
      // _codecs.encode's default codec is UTF-8; bytes(text) fails in Python 3 and is read as
      // Python 2 would have it.
      bytes = result.callable->name == "encode" ? std::optional(source->text)
                                                : pickle_text::encode_latin1(source->text);
    } else if (encoding->kind == Kind::text && encoding->complete) {
      bytes = pickle_text::encode_text(source->text, encoding->text);
    }
  } else if ((source->kind == Kind::list || source->kind == Kind::tuple) &&
             result.callable->name != "encode") {
    bytes = bytes_of_integers(*source);
    complete = bytes.has_value();
  }
  if (bytes) {
    result.kind = Kind::bytes;
    result.size = bytes->size();
    result.complete = complete;
    result.text = std::move(*bytes);
  }
}

bool is_container(const PickleValue& value) {
  return value.kind == Kind::tuple || value.kind == Kind::list || value.kind == Kind::dict ||
         value.kind == Kind::set;
}

} // namespace

PickleVm::PickleVm(PickleInput& input, PickleHooks& hooks)
    : input_(input), hooks_(hooks), arena_(std::make_shared<PickleArena>()) {
  unknown_ = arena_->make(Kind::unknown, 0);
  none_ = arena_->make(Kind::none, 0);
  true_ = arena_->make(Kind::boolean, 0);
  true_->integer = 1;
  false_ = arena_->make(Kind::boolean, 0);
  small_integers_.resize(k_shared_integers);
  for (std::size_t i = 0; i < k_shared_integers; ++i) {
    small_integers_[i] = arena_->make(Kind::integer, 0);
    small_integers_[i]->integer = static_cast<std::int64_t>(i);
  }
}

PickleRun PickleVm::run() {
  PickleRun result;
  result.values = arena_;
  result.start = input_.offset();
  for (;;) {
    const std::uint64_t at = input_.offset();
    const auto op = input_.next_byte();
    const Step step = op ? execute(*op, at) : Step::truncated;
    if (step == Step::next) {
      continue;
    }
    result.end_offset = at;
    if (step == Step::stop) {
      result.end = PickleRun::End::stop;
      result.root = pop();
    } else {
      result.end =
          step == Step::invalid ? PickleRun::End::invalid_opcode : PickleRun::End::end_of_data;
    }
    break;
  }
  result.protocol = protocol_ >= 0 ? protocol_ : binary_seen_ ? 1 : 0;
  result.budget_exhausted = arena_->exhausted() || forgot_;
  return result;
}

// --- the stack, marks and memo

void PickleVm::push(PickleValue* value) {
  if (stack_.size() >= k_max_stack) {
    const std::size_t half = stack_.size() / 2;
    stack_.erase(stack_.begin(), stack_.begin() + static_cast<std::ptrdiff_t>(half));
    for (auto& mark : marks_) {
      mark = mark > half ? mark - half : 0;
    }
    forgot_ = true;
  }
  // A value made past the arena's budget is not kept: it stands as unknown from here on.
  stack_.push_back(arena_->discarded(value) ? unknown_ : value);
}

PickleValue* PickleVm::pop() {
  if (stack_.size() <= fence()) {
    return unknown_;
  }
  PickleValue* value = stack_.back();
  stack_.pop_back();
  return value;
}

std::vector<PickleValue*>& PickleVm::pop_mark() {
  const std::size_t from = std::min(fence(), stack_.size());
  marked_.assign(stack_.begin() + static_cast<std::ptrdiff_t>(from), stack_.end());
  stack_.resize(from);
  if (!marks_.empty()) {
    marks_.pop_back();
  }
  return marked_;
}

void PickleVm::memo_put(std::uint64_t slot, PickleValue* value) {
  if (!memo_.put(slot, value)) {
    forgot_ = true;
  }
}

PickleValue* PickleVm::memo_get(std::uint64_t slot) const {
  PickleValue* value = memo_.get(slot);
  return value != nullptr ? value : unknown_;
}

// --- values

void PickleVm::add_items(PickleValue& container, const std::vector<PickleValue*>& items) {
  if (!is_container(container)) {
    return;
  }
  const std::size_t room = k_max_items - std::min(k_max_items, container.items.size());
  // A dict keeps whole pairs.
  const std::size_t take =
      std::min(items.size(), container.kind == Kind::dict ? room & ~std::size_t{1} : room);
  container.items.insert(container.items.end(), items.begin(),
                         items.begin() + static_cast<std::ptrdiff_t>(take));
  if (take < items.size()) {
    container.complete = false;
  }
}

PickleValue*
PickleVm::make_container(Kind kind, const std::vector<PickleValue*>& items, std::uint64_t at) {
  PickleValue* value = arena_->make(kind, at);
  add_items(*value, items);
  return value;
}

PickleValue* PickleVm::make_integer(std::optional<std::int64_t> number, std::uint64_t at) {
  if (number && *number >= 0 && static_cast<std::uint64_t>(*number) < k_shared_integers) {
    return small_integers_[static_cast<std::size_t>(*number)];
  }
  PickleValue* value = arena_->make(Kind::integer, at);
  value->integer = number.value_or(0);
  value->complete = number.has_value();
  return value;
}

PickleValue*
PickleVm::make_global(std::string module, std::string name, bool known, std::uint64_t at) {
  PickleValue* global = arena_->make(Kind::global, at);
  global->text = std::move(module);
  global->name = std::move(name);
  global->complete = known;
  hooks_.on_global(*global);
  return global;
}

void PickleVm::call(PickleValue* callable, PickleValue* args, std::uint64_t at) {
  PickleValue* result = arena_->make(Kind::object, at);
  result->callable = callable;
  result->args = args;
  evaluate_bytes(*result);
  hooks_.on_call(*callable, *args, *result, at);
  push(result);
}

// --- arguments

bool PickleVm::fixed(std::size_t n) {
  argument_.clear();
  return input_.read(argument_, n, n) == n;
}

std::uint64_t PickleVm::little_endian(std::size_t n) const {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(argument_[i])) << (8 * i);
  }
  return value;
}

bool PickleVm::line() {
  argument_.clear();
  return input_.read_line(argument_, k_max_line);
}

std::uint64_t PickleVm::keep_for(std::uint64_t length) {
  if (kept_ >= k_keep_total) {
    return std::min(length, k_keep_after_budget);
  }
  if (length <= k_keep_text) {
    return length;
  }
  return looks_like_pickle(input_.peek(2)) ? std::min(length, k_keep_payload) : k_keep_text;
}

PickleVm::Step PickleVm::string_value(Kind kind, std::uint64_t length, std::uint64_t at) {
  PickleValue* value = arena_->make(kind, at);
  value->size = length;
  if (input_.read(value->text, length, keep_for(length)) < length) {
    return Step::truncated;
  }
  value->complete = value->text.size() == length;
  kept_ += value->text.size();
  push(value);
  return Step::next;
}

PickleVm::Step PickleVm::counted_string(Kind kind, std::size_t width, std::uint64_t at) {
  if (!fixed(width)) {
    return Step::truncated;
  }
  return string_value(kind, little_endian(width), at);
}

// LONG1 / LONG4: a little-endian two's-complement integer of `width`-byte length.
PickleVm::Step PickleVm::long_value(std::size_t width, std::uint64_t at) {
  if (!fixed(width)) {
    return Step::truncated;
  }
  const std::uint64_t length = little_endian(width);
  argument_.clear();
  if (input_.read(argument_, length, 8) < length) {
    return Step::truncated;
  }
  std::optional<std::int64_t> number;
  if (length <= 8) {
    std::uint64_t bits = little_endian(argument_.size());
    if (length > 0 && length < 8 && (bits >> (8 * length - 1)) != 0) {
      bits |= ~std::uint64_t{0} << (8 * length); // sign-extend
    }
    number = static_cast<std::int64_t>(bits);
  }
  push(make_integer(number, at));
  return Step::next;
}

// A protocol 0 text argument, decoded.
PickleVm::Step PickleVm::text_value(Kind kind, std::string text, std::uint64_t at) {
  PickleValue* value = arena_->make(kind, at);
  value->size = text.size();
  value->complete = argument_.size() < k_max_line;
  value->text = std::move(text);
  push(value);
  return Step::next;
}

PickleVm::Step PickleVm::two_lines(std::string& first, std::string& second) {
  if (!line()) {
    return Step::truncated;
  }
  first = argument_;
  if (!line()) {
    return Step::truncated;
  }
  second = argument_;
  return Step::next;
}

PickleVm::Step PickleVm::memo_index_line(bool put) {
  if (!line()) {
    return Step::truncated;
  }
  const auto slot = pickle_text::parse_integer(argument_, 10);
  if (put) {
    memo_put(static_cast<std::uint64_t>(slot.value_or(-1)), top());
  } else {
    push(slot ? memo_get(static_cast<std::uint64_t>(*slot)) : unknown_);
  }
  return Step::next;
}

PickleVm::Step PickleVm::memo_index_fixed(std::size_t width, bool put) {
  if (!fixed(width)) {
    return Step::truncated;
  }
  if (put) {
    memo_put(little_endian(width), top());
  } else {
    push(memo_get(little_endian(width)));
  }
  return Step::next;
}

std::uint64_t PickleVm::frame_left() const {
  const std::uint64_t now = input_.offset();
  return now < frame_end_ ? frame_end_ - now : 0;
}

} // namespace mlv::formats
