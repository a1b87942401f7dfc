#pragma once

#include <mlv/formats/byte_stream.hpp>
#include <mlv/formats/pickle_input.hpp>
#include <mlv/formats/pickle_value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlv::formats {

// What a pickle run tells its caller as it goes. Every callback is optional.
class PickleHooks {
public:
  virtual ~PickleHooks() = default;
  // A global was looked up (GLOBAL, STACK_GLOBAL, INST): loading imports its module here.
  virtual void on_global(PickleValue& global) { (void)global; }
  // `callable` would be called with `args` (a tuple) by the opcode at `offset`: REDUCE, INST,
  // OBJ, NEWOBJ, NEWOBJ_EX. `result` is the value that stands for what the call returns.
  virtual void on_call(const PickleValue& callable,
                       const PickleValue& args,
                       const PickleValue& result,
                       std::uint64_t offset) {
    (void)callable, (void)args, (void)result, (void)offset;
  }
  // BUILD, SETITEM(S), APPEND(S) or ADDITEMS (`opcode`) at `offset` changes `global` itself: a
  // module or class the pickle imported, not an instance it made.
  virtual void on_global_changed(const PickleValue& global, char opcode, std::uint64_t offset) {
    (void)global, (void)opcode, (void)offset;
  }
  // persistent_load(pid), which the loading program defines (PyTorch: tensor storages).
  virtual void on_persistent_id(const PickleValue& pid, std::uint64_t offset) {
    (void)pid, (void)offset;
  }
  // An EXT1/2/4 code: a callable from copyreg's extension registry, which the loading program
  // fills (empty by default, so loading fails there).
  virtual void on_extension(std::uint32_t code, std::uint64_t offset) { (void)code, (void)offset; }
  // BUILD gave `object` its state. joblib places array data in the file right after the BUILD
  // of a NumpyArrayWrapper; a hook that reads or skips it uses `input`. `frame_left` is how many
  // bytes of the current protocol 4 frame are still unread (joblib's data follows the frame).
  virtual void after_build(PickleValue& object, PickleInput& input, std::uint64_t frame_left) {
    (void)object, (void)input, (void)frame_left;
  }
};

// How one pickle ended and what it built.
struct PickleRun {
  enum class End {
    stop,           // the STOP opcode: what pickle.load returns
    end_of_data,    // the bytes ran out (or the stream broke) before STOP
    invalid_opcode, // a byte that is no opcode: an unpickler stops with an error there
  };
  End end = End::end_of_data;
  std::uint64_t start = 0;      // offset of the first opcode
  std::uint64_t end_offset = 0; // offset of the STOP, of the invalid byte, or where data ended
  int protocol = 0;             // PROTO's argument; 0 or 1 for a stream without PROTO
  std::shared_ptr<PickleArena> values;
  PickleValue* root = nullptr;   // the value STOP returns
  bool budget_exhausted = false; // some values were not kept (docs/safety.md, limits)
};

// Runs one pickle from `input`'s position to its STOP, the first byte that is no opcode, or the
// end of the data, decoding every opcode of protocols 0 to 5 on a symbolic stack and memo.
// Nothing is imported, called or constructed. Never throws on malformed pickle data: stack and
// memo faults yield unknown values and the run goes on (more is seen, never less, than an
// unpickler would run). Throws Error only when the stream cannot be read (I/O).
PickleRun run_pickle(PickleInput& input, PickleHooks& hooks);

// Whether `byte` is an opcode of any protocol (0 to 5): where an unpickler stops if not.
bool is_pickle_opcode(unsigned char byte);

// Whether bytes start like a pickle: PROTO (any protocol) then an opcode, or protocol 0/1
// opcodes that parse (the rules format detection uses for a pickle file).
bool starts_like_pickle(std::string_view head);

// Whether pickle.load would run any opcode of these bytes: the first byte is an opcode, and a
// PROTO names a protocol Python knows. Looser than starts_like_pickle on purpose: a file that
// no pickle.dump wrote ("N0" before a payload) is still run by an unpickler, so the safety scan
// walks whatever this accepts.
bool unpickler_would_run(std::string_view head);

// "module.qualname" of the callable(s) that build `value`: the class of an object made by
// NEWOBJ or copyreg's reconstructors rather than the reconstructor; "builtins.dict" and the
// like for containers; empty when nothing is known.
std::vector<std::string> builder_names(const PickleValue& value);

// A numpy array joblib wrote into the stream, as its wrapper describes it.
struct PickleArray {
  std::string dtype;                // numpy's type string ("<f8", "|O")
  std::vector<std::uint64_t> shape; // empty when it could not be read
  std::uint64_t bytes = 0;          // data bytes (0 for object arrays, which are pickles)
  bool objects = false;
};

// What `mlv inspect` shows of a pickle stream.
struct PickleSummary {
  int protocol = 0;
  std::vector<std::string> root_classes; // builder_names of the root object
  std::vector<std::string> globals;      // every global referenced, in first-use order, unique
  std::vector<PickleArray> arrays;       // joblib's arrays, in file order
  bool complete = false;                 // the stream reached STOP
};

// Summarises the pickle at the stream's position, following joblib's inline arrays so that a
// joblib file is read to its end. Throws Error only when the stream cannot be read.
PickleSummary summarize_pickle(ByteStream& stream);
// The same for the pickle that follows `preceding` others in the stream (a legacy torch.save
// file writes its object as the fourth pickle); an empty summary when the stream has fewer.
PickleSummary summarize_pickle(ByteStream& stream, std::size_t preceding);

} // namespace mlv::formats
