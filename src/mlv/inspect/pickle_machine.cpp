#include "pickle_opcodes.hpp"
#include "pickle_text.hpp"
#include "probes.hpp"

#include <mlv/inspect/pickle_machine.hpp>

#include <algorithm>
#include <unordered_map>

namespace mlv::inspect {

namespace {

using Kind = PickleValue::Kind;

// Text and bytes are kept whole up to this size; longer ones keep their start (names, dict keys
// and dtype codes are all short).
constexpr std::uint64_t k_keep_text = 64 << 10;
// Bytes that start like a pickle are kept up to this size, for a scan of the pickle they hold.
constexpr std::uint64_t k_keep_payload = 16 << 20;
// All content one run keeps; past it each string keeps only its first bytes.
constexpr std::uint64_t k_keep_total = 256 << 20;
constexpr std::uint64_t k_keep_after_budget = 256;
// Items kept per container: enough for every tuple and dict an inspection reads.
constexpr std::size_t k_max_items = 4096;
// Stack entries and memo slots kept. Past them the bottom of the stack is forgotten and new memo
// slots are not stored; references are still reported as they are read.
constexpr std::size_t k_max_stack = 1 << 22;
constexpr std::size_t k_max_memo = 1 << 23;
// Argument lines (protocol 0) are kept up to this length.
constexpr std::size_t k_max_line = 64 << 10;

// What one opcode did to the run.
enum class Step { next, stop, truncated, invalid };

bool looks_like_pickle(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == opcode::PROTO &&
         static_cast<unsigned char>(head[1]) <= opcode::k_highest_protocol;
}

// "builtins.bytearray" and the other callables whose result the machine can tell: the bytes a
// protocol 0-2 pickle spells as text.
bool makes_bytes_from_text(const std::string& name) {
  return name == "_codecs.encode" || name == "codecs.encode" || name == "builtins.bytearray" ||
         name == "__builtin__.bytearray" || name == "builtins.bytes";
}

class Machine {
public:
  Machine(PickleInput& input, PickleHooks& hooks)
      : input_(input), hooks_(hooks), arena_(std::make_shared<PickleArena>()) {
    unknown_ = arena_->make(Kind::unknown, 0);
    none_ = arena_->make(Kind::none, 0);
    true_ = arena_->make(Kind::boolean, 0);
    true_->integer = 1;
    false_ = arena_->make(Kind::boolean, 0);
  }

  PickleRun run() {
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

private:
  // --- the stack, marks and memo, as CPython's unpickler keeps them

  std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }

  void push(PickleValue* value) {
    if (stack_.size() >= k_max_stack) {
      const std::size_t half = stack_.size() / 2;
      stack_.erase(stack_.begin(), stack_.begin() + static_cast<std::ptrdiff_t>(half));
      for (auto& mark : marks_) {
        mark = mark > half ? mark - half : 0;
      }
      forgot_ = true;
    }
    stack_.push_back(value);
  }

  // Below the innermost mark nothing can be popped: an unpickler fails there; we go on.
  PickleValue* pop() {
    if (stack_.size() <= fence()) {
      return unknown_;
    }
    PickleValue* value = stack_.back();
    stack_.pop_back();
    return value;
  }

  PickleValue* top() { return stack_.size() > fence() ? stack_.back() : unknown_; }

  std::vector<PickleValue*> pop_mark() {
    const std::size_t from = std::min(fence(), stack_.size());
    std::vector<PickleValue*> items(stack_.begin() + static_cast<std::ptrdiff_t>(from),
                                    stack_.end());
    stack_.resize(from);
    if (!marks_.empty()) {
      marks_.pop_back();
    }
    return items;
  }

  void memo_put(std::uint64_t index, PickleValue* value) {
    const auto found = memo_.find(index);
    if (found != memo_.end()) {
      found->second = value;
    } else if (memo_.size() < k_max_memo) {
      memo_.emplace(index, value);
    } else {
      ++memo_forgotten_;
      forgot_ = true;
    }
  }

  PickleValue* memo_get(std::uint64_t index) {
    const auto found = memo_.find(index);
    return found == memo_.end() ? unknown_ : found->second;
  }

  // --- values

  static bool is_container(const PickleValue& value) {
    return value.kind == Kind::tuple || value.kind == Kind::list || value.kind == Kind::dict ||
           value.kind == Kind::set;
  }

  static void add_items(PickleValue& container, const std::vector<PickleValue*>& items) {
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

  PickleValue* make_container(Kind kind, const std::vector<PickleValue*>& items, std::uint64_t at) {
    PickleValue* value = arena_->make(kind, at);
    add_items(*value, items);
    return value;
  }

  PickleValue* make_integer(std::optional<std::int64_t> number, std::uint64_t at) {
    PickleValue* value = arena_->make(Kind::integer, at);
    value->integer = number.value_or(0);
    value->complete = number.has_value();
    return value;
  }

  PickleValue* make_global(std::string module, std::string name, bool known, std::uint64_t at) {
    PickleValue* global = arena_->make(Kind::global, at);
    global->text = std::move(module);
    global->name = std::move(name);
    global->complete = known;
    hooks_.on_global(*global);
    return global;
  }

  void call(PickleValue* callable, PickleValue* args, std::uint64_t at) {
    PickleValue* result = arena_->make(Kind::object, at);
    result->callable = callable;
    result->args = args;
    evaluate_bytes(*result);
    hooks_.on_call(*callable, *args, *result, at);
    push(result);
  }

  // The result of _codecs.encode(text, "latin1") and bytearray(...) is bytes whose content we
  // know, so a payload a protocol 0-2 pickle hands to pickle.loads can be scanned too.
  static void evaluate_bytes(PickleValue& result) {
    if (result.callable->kind != Kind::global ||
        !makes_bytes_from_text(result.callable->dotted_name())) {
      return;
    }
    const PickleValue* source = result.args->item(0);
    if (source == nullptr || (source->kind != Kind::text && source->kind != Kind::bytes)) {
      return;
    }
    std::optional<std::string> bytes = source->text;
    if (source->kind == Kind::text) {
      bytes = pickle_text::encode_latin1(source->text);
    }
    if (bytes) {
      result.kind = Kind::bytes;
      result.size = bytes->size();
      result.complete = source->complete;
      result.text = std::move(*bytes);
    }
  }

  // --- arguments

  bool fixed(std::size_t n) {
    argument_.clear();
    return input_.read(argument_, n, n) == n;
  }

  std::uint64_t little_endian(std::size_t n) const {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < n; ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(argument_[i])) << (8 * i);
    }
    return value;
  }

  bool line() {
    argument_.clear();
    return input_.read_line(argument_, k_max_line);
  }

  // How much of a string of `length` bytes to keep.
  std::uint64_t keep_for(std::uint64_t length) {
    if (kept_ >= k_keep_total) {
      return std::min(length, k_keep_after_budget);
    }
    if (length <= k_keep_text) {
      return length;
    }
    return looks_like_pickle(input_.peek(2)) ? std::min(length, k_keep_payload) : k_keep_text;
  }

  Step string_value(Kind kind, std::uint64_t length, std::uint64_t at) {
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

  Step counted_string(Kind kind, std::size_t width, std::uint64_t at) {
    if (!fixed(width)) {
      return Step::truncated;
    }
    return string_value(kind, little_endian(width), at);
  }

  // LONG1 / LONG4: a little-endian two's-complement integer of `width`-byte length.
  Step long_value(std::size_t width, std::uint64_t at) {
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

  Step two_lines(std::string& first, std::string& second) {
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

  Step memo_index_line(bool put) {
    if (!line()) {
      return Step::truncated;
    }
    const auto index = pickle_text::parse_integer(argument_, 10);
    if (put) {
      memo_put(static_cast<std::uint64_t>(index.value_or(-1)), top());
    } else {
      push(index ? memo_get(static_cast<std::uint64_t>(*index)) : unknown_);
    }
    return Step::next;
  }

  Step memo_index_fixed(std::size_t width, bool put) {
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

  std::uint64_t frame_left() const {
    const std::uint64_t now = input_.offset();
    return now < frame_end_ ? frame_end_ - now : 0;
  }

  // --- opcodes

  Step execute(unsigned char op, std::uint64_t at) {
    if (op < 0x80 && op != opcode::MARK && op != opcode::STOP) {
      // Opcodes that protocol 0 does not have mark a protocol 1 stream.
      static constexpr std::string_view k_protocol_0 = "02FILNPRSVabcdgilpst";
      binary_seen_ = binary_seen_ || k_protocol_0.find(static_cast<char>(op)) == std::string::npos;
    }
    switch (op) {
    case opcode::MARK:
      marks_.push_back(stack_.size());
      return Step::next;
    case opcode::STOP:
      return Step::stop;
    case opcode::POP:
      if (stack_.size() > fence()) {
        pop();
      } else {
        pop_mark();
      }
      return Step::next;
    case opcode::POP_MARK:
      pop_mark();
      return Step::next;
    case opcode::DUP:
      push(top());
      return Step::next;
    case opcode::FLOAT:
      if (!line()) {
        return Step::truncated;
      }
      push(unknown_);
      return Step::next;
    case opcode::BINFLOAT:
      if (!fixed(8)) {
        return Step::truncated;
      }
      push(unknown_);
      return Step::next;
    case opcode::INT:
      if (!line()) {
        return Step::truncated;
      }
      if (argument_ == "00" || argument_ == "01") {
        push(argument_ == "01" ? true_ : false_);
      } else {
        push(make_integer(pickle_text::parse_integer(argument_, 0), at));
      }
      return Step::next;
    case opcode::LONG:
      if (!line()) {
        return Step::truncated;
      }
      if (!argument_.empty() && argument_.back() == 'L') {
        argument_.pop_back();
      }
      push(make_integer(pickle_text::parse_integer(argument_, 0), at));
      return Step::next;
    case opcode::BININT:
      if (!fixed(4)) {
        return Step::truncated;
      }
      push(make_integer(static_cast<std::int32_t>(little_endian(4)), at));
      return Step::next;
    case opcode::BININT1:
    case opcode::BININT2: {
      const std::size_t width = op == opcode::BININT1 ? 1 : 2;
      if (!fixed(width)) {
        return Step::truncated;
      }
      push(make_integer(static_cast<std::int64_t>(little_endian(width)), at));
      return Step::next;
    }
    case opcode::LONG1:
      return long_value(1, at);
    case opcode::LONG4:
      return long_value(4, at);
    case opcode::NONE:
      push(none_);
      return Step::next;
    case opcode::NEWTRUE:
      push(true_);
      return Step::next;
    case opcode::NEWFALSE:
      push(false_);
      return Step::next;
    case opcode::PERSID:
    case opcode::BINPERSID: {
      PickleValue* pid = nullptr;
      if (op == opcode::PERSID) {
        if (!line()) {
          return Step::truncated;
        }
        pid = arena_->make(Kind::text, at);
        pid->text = argument_;
        pid->size = argument_.size();
      } else {
        pid = pop();
      }
      hooks_.on_persistent_id(*pid, at);
      PickleValue* loaded = arena_->make(Kind::object, at);
      loaded->args = pid;
      push(loaded);
      return Step::next;
    }
    case opcode::REDUCE: {
      PickleValue* args = pop();
      PickleValue* callable = pop();
      call(callable, args, at);
      return Step::next;
    }
    case opcode::STRING: {
      if (!line()) {
        return Step::truncated;
      }
      PickleValue* value = arena_->make(Kind::text, at);
      value->text = pickle_text::unquote_string(argument_);
      value->size = value->text.size();
      value->complete = argument_.size() < k_max_line;
      push(value);
      return Step::next;
    }
    case opcode::UNICODE: {
      if (!line()) {
        return Step::truncated;
      }
      PickleValue* value = arena_->make(Kind::text, at);
      value->text = pickle_text::decode_raw_unicode_escape(argument_);
      value->size = value->text.size();
      value->complete = argument_.size() < k_max_line;
      push(value);
      return Step::next;
    }
    case opcode::BINSTRING:
      return counted_string(Kind::text, 4, at);
    case opcode::SHORT_BINSTRING:
      return counted_string(Kind::text, 1, at);
    case opcode::BINUNICODE:
      return counted_string(Kind::text, 4, at);
    case opcode::SHORT_BINUNICODE:
      return counted_string(Kind::text, 1, at);
    case opcode::BINUNICODE8:
      return counted_string(Kind::text, 8, at);
    case opcode::BINBYTES:
      return counted_string(Kind::bytes, 4, at);
    case opcode::SHORT_BINBYTES:
      return counted_string(Kind::bytes, 1, at);
    case opcode::BINBYTES8:
    case opcode::BYTEARRAY8:
      return counted_string(Kind::bytes, 8, at);
    case opcode::APPEND: {
      PickleValue* value = pop();
      add_items(*top(), {value});
      return Step::next;
    }
    case opcode::APPENDS:
    case opcode::ADDITEMS: {
      const auto items = pop_mark();
      add_items(*top(), items);
      return Step::next;
    }
    case opcode::SETITEM: {
      PickleValue* value = pop();
      PickleValue* key = pop();
      add_items(*top(), {key, value});
      return Step::next;
    }
    case opcode::SETITEMS: {
      auto items = pop_mark();
      if (items.size() % 2 != 0) {
        items.pop_back();
      }
      add_items(*top(), items);
      return Step::next;
    }
    case opcode::BUILD: {
      PickleValue* state = pop();
      PickleValue* object = top();
      if (object->kind == Kind::object) {
        object->state = state;
      }
      hooks_.after_build(*object, input_, frame_left());
      return Step::next;
    }
    case opcode::GLOBAL: {
      std::string module;
      std::string name;
      if (two_lines(module, name) != Step::next) {
        return Step::truncated;
      }
      push(make_global(std::move(module), std::move(name), true, at));
      return Step::next;
    }
    case opcode::STACK_GLOBAL: {
      PickleValue* name = pop();
      PickleValue* module = pop();
      const bool known = module->kind == Kind::text && module->complete &&
                         name->kind == Kind::text && name->complete;
      push(make_global(module->kind == Kind::text ? module->text : "?",
                       name->kind == Kind::text ? name->text : "?", known, at));
      return Step::next;
    }
    case opcode::INST: {
      std::string module;
      std::string name;
      if (two_lines(module, name) != Step::next) {
        return Step::truncated;
      }
      PickleValue* cls = make_global(std::move(module), std::move(name), true, at);
      PickleValue* args = make_container(Kind::tuple, pop_mark(), at);
      call(cls, args, at);
      return Step::next;
    }
    case opcode::OBJ: {
      auto items = pop_mark();
      PickleValue* cls = items.empty() ? unknown_ : items.front();
      if (!items.empty()) {
        items.erase(items.begin());
      }
      call(cls, make_container(Kind::tuple, items, at), at);
      return Step::next;
    }
    case opcode::NEWOBJ: {
      PickleValue* args = pop();
      PickleValue* cls = pop();
      call(cls, args, at);
      return Step::next;
    }
    case opcode::NEWOBJ_EX: {
      pop(); // keyword arguments
      PickleValue* args = pop();
      PickleValue* cls = pop();
      call(cls, args, at);
      return Step::next;
    }
    case opcode::DICT:
    case opcode::LIST:
    case opcode::TUPLE:
    case opcode::FROZENSET: {
      auto items = pop_mark();
      if (op == opcode::DICT && items.size() % 2 != 0) {
        items.pop_back();
      }
      const Kind kind = op == opcode::DICT    ? Kind::dict
                        : op == opcode::LIST  ? Kind::list
                        : op == opcode::TUPLE ? Kind::tuple
                                              : Kind::set;
      push(make_container(kind, items, at));
      return Step::next;
    }
    case opcode::EMPTY_DICT:
      push(arena_->make(Kind::dict, at));
      return Step::next;
    case opcode::EMPTY_LIST:
      push(arena_->make(Kind::list, at));
      return Step::next;
    case opcode::EMPTY_TUPLE:
      push(arena_->make(Kind::tuple, at));
      return Step::next;
    case opcode::EMPTY_SET:
      push(arena_->make(Kind::set, at));
      return Step::next;
    case opcode::TUPLE1:
    case opcode::TUPLE2:
    case opcode::TUPLE3: {
      const std::size_t count = op - opcode::TUPLE1 + 1u;
      std::vector<PickleValue*> items(count);
      for (std::size_t i = count; i-- > 0;) {
        items[i] = pop();
      }
      push(make_container(Kind::tuple, items, at));
      return Step::next;
    }
    case opcode::GET:
      return memo_index_line(false);
    case opcode::PUT:
      return memo_index_line(true);
    case opcode::BINGET:
      return memo_index_fixed(1, false);
    case opcode::LONG_BINGET:
      return memo_index_fixed(4, false);
    case opcode::BINPUT:
      return memo_index_fixed(1, true);
    case opcode::LONG_BINPUT:
      return memo_index_fixed(4, true);
    case opcode::MEMOIZE:
      memo_put(memo_.size() + memo_forgotten_, top());
      return Step::next;
    case opcode::PROTO:
      if (!fixed(1)) {
        return Step::truncated;
      }
      protocol_ = static_cast<unsigned char>(argument_[0]);
      return Step::next;
    case opcode::FRAME: {
      if (!fixed(8)) {
        return Step::truncated;
      }
      const std::uint64_t length = little_endian(8);
      const std::uint64_t now = input_.offset();
      frame_end_ = length > UINT64_MAX - now ? UINT64_MAX : now + length;
      return Step::next;
    }
    case opcode::EXT1:
    case opcode::EXT2:
    case opcode::EXT4: {
      const std::size_t width = op == opcode::EXT1 ? 1 : op == opcode::EXT2 ? 2 : 4;
      if (!fixed(width)) {
        return Step::truncated;
      }
      hooks_.on_extension(static_cast<std::uint32_t>(little_endian(width)), at);
      push(unknown_);
      return Step::next;
    }
    case opcode::NEXT_BUFFER:
      push(unknown_);
      return Step::next;
    case opcode::READONLY_BUFFER:
      return Step::next;
    default:
      return Step::invalid;
    }
  }

  PickleInput& input_;
  PickleHooks& hooks_;
  std::shared_ptr<PickleArena> arena_;
  PickleValue* unknown_ = nullptr; // shared by every value not modelled; never changed
  PickleValue* none_ = nullptr;
  PickleValue* true_ = nullptr;
  PickleValue* false_ = nullptr;
  std::vector<PickleValue*> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, PickleValue*> memo_;
  std::uint64_t memo_forgotten_ = 0;
  bool forgot_ = false;
  std::string argument_;
  std::uint64_t kept_ = 0;
  std::uint64_t frame_end_ = 0;
  int protocol_ = -1;
  bool binary_seen_ = false;
};

} // namespace

bool is_pickle_opcode(unsigned char byte) {
  static constexpr std::string_view k_text_opcodes = "(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])GBC";
  return (byte >= opcode::PROTO && byte <= opcode::READONLY_BUFFER) ||
         k_text_opcodes.find(static_cast<char>(byte)) != std::string_view::npos;
}

bool starts_like_pickle(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == opcode::PROTO) {
    return static_cast<unsigned char>(head[1]) <= opcode::k_highest_protocol &&
           (head.size() == 2 || is_pickle_opcode(static_cast<unsigned char>(head[2])));
  }
  return probe::classify_pickle(head) != probe::PickleKind::none;
}

PickleRun run_pickle(PickleInput& input, PickleHooks& hooks) {
  return Machine(input, hooks).run();
}

} // namespace mlv::inspect
