#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::formats {

// What the pickle machine knows of one value an unpickler would build: its kind and, where an
// inspection needs it, its content. Nothing is ever constructed for real; a "object" is only the
// record of which callable would have been called with which arguments.
struct PickleValue {
  enum class Kind : std::uint8_t {
    unknown, // not modelled (a float, a buffer, an extension code, a value past a budget)
    none,
    boolean,
    integer,
    text,  // str (and protocol 0-2 byte strings, which Python 3 reads as str)
    bytes, // bytes, bytearray
    tuple,
    list,
    dict,
    set,
    global, // a module attribute looked up by GLOBAL, STACK_GLOBAL or INST
    object, // the result of calling `callable` with `args`, or of persistent_load
  };

  Kind kind = Kind::unknown;
  // text and bytes: `text` holds all of the content; integer: the value fits in `integer`;
  // containers: every item was kept.
  bool complete = true;
  std::int64_t integer = 0;
  std::uint64_t size = 0;          // text and bytes: length in the stream
  std::uint64_t offset = 0;        // of the opcode that made the value
  std::string text;                // text and bytes content (the kept part); a global's module
  std::string name;                // a global's qualified name inside its module
  std::vector<PickleValue*> items; // tuple, list, set; dict: key, value, key, value...
  PickleValue* callable = nullptr; // object: what was called (null for persistent_load)
  PickleValue* args = nullptr;     // object: the arguments, a tuple
  PickleValue* state = nullptr;    // object: the state BUILD gave it last

  bool is_text(std::string_view value) const {
    return kind == Kind::text && complete && text == value;
  }
  // "module.qualname" of a global; empty for anything else.
  std::string dotted_name() const {
    return kind == Kind::global ? text + "." + name : std::string();
  }
  // The item at `index` of a tuple or list, or null.
  const PickleValue* item(std::size_t index) const {
    return (kind == Kind::tuple || kind == Kind::list) && index < items.size() ? items[index]
                                                                               : nullptr;
  }
  // The value of a dict's text key, or null.
  const PickleValue* get(std::string_view key) const;
};

// Owns every value of one pickle run, so that values may point at each other freely (memo
// references make cycles) and are freed together. Past a budget of values it hands out a
// "discard" value, overwritten by the next make(), that the machine never keeps: the run goes
// on, knowing less. Text, bytes and globals, which names are resolved from, have a larger
// budget than the rest.
class PickleArena {
public:
  PickleValue* make(PickleValue::Kind kind, std::uint64_t offset);
  bool discarded(const PickleValue* value) const { return value == &discard_; }
  // Whether the budget ran out.
  bool exhausted() const { return exhausted_; }

private:
  std::deque<PickleValue> values_;
  PickleValue discard_;
  bool exhausted_ = false;
};

} // namespace mlv::formats
