// The opcodes of pickle protocols 0 to 5, each as CPython's unpickler executes it
// (Lib/pickle.py, Modules/_pickle.c), on symbolic values: nothing is imported or called.

#include "pickle_opcodes.hpp"

#include "pickle_text.hpp"
#include "pickle_vm.hpp"

namespace mlv::formats {

PickleVm::Step PickleVm::execute(unsigned char op, std::uint64_t at) {
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
  case opcode::STRING:
    if (!line()) {
      return Step::truncated;
    }
    return text_value(Kind::text, pickle_text::unquote_string(argument_), at);
  case opcode::UNICODE:
    if (!line()) {
      return Step::truncated;
    }
    return text_value(Kind::text, pickle_text::decode_raw_unicode_escape(argument_), at);
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
    changing(op, at);
    add_items(*top(), {value});
    return Step::next;
  }
  case opcode::APPENDS:
  case opcode::ADDITEMS: {
    const auto& items = pop_mark();
    changing(op, at);
    add_items(*top(), items);
    return Step::next;
  }
  case opcode::SETITEM: {
    PickleValue* value = pop();
    PickleValue* key = pop();
    changing(op, at);
    add_items(*top(), {key, value});
    return Step::next;
  }
  case opcode::SETITEMS: {
    auto& items = pop_mark();
    if (items.size() % 2 != 0) {
      items.pop_back();
    }
    changing(op, at);
    add_items(*top(), items);
    return Step::next;
  }
  case opcode::BUILD: {
    PickleValue* state = pop();
    PickleValue* object = top();
    changing(op, at);
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
    const bool known = module->kind == Kind::text && module->complete && name->kind == Kind::text &&
                       name->complete;
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
    auto& items = pop_mark();
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
    auto& items = pop_mark();
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
    memo_put(memo_.size(), top());
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

} // namespace mlv::formats
