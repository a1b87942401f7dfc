#pragma once

#include <mlv/formats/pickle_input.hpp>
#include <mlv/formats/pickle_machine.hpp>
#include <mlv/formats/pickle_value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlv::formats {

// How joblib.dump lays out one numpy array: it pickles a NumpyArrayWrapper (shape, dtype,
// order) and, right after that object's BUILD, writes the array itself into the file: a nested
// pickle (protocol 2) for arrays of Python objects, else the raw bytes, since joblib 1.2 behind
// one byte giving a padding length and that much padding (alignment for memory mapping).
struct JoblibArray {
  std::string dtype;                // numpy's type string ("<f8", "|O"), as pickled
  std::vector<std::uint64_t> shape; // empty when the shape could not be read
  bool object_dtype = false;
  std::uint64_t data_size = 0; // raw arrays: bytes of data (items x item size)
  bool aligned = false;        // raw arrays: the padding byte and padding come first
};

// The layout a NumpyArrayWrapper that BUILD just gave its state announces; nothing when `object`
// is not such a wrapper or its shape or dtype cannot be read (an unpickler that cannot tell the
// size would not know where the pickle resumes either).
std::optional<JoblibArray> joblib_array_of(const PickleValue& object);

// Whether `object` is a NumpyArrayWrapper joblib.load would read an array behind (by any dotted
// spelling of its name), whether or not its layout can be read.
bool is_joblib_array_wrapper(const PickleValue& object);

// Whether `object` is joblib < 0.10's NDArrayWrapper or ZNDArrayWrapper, which joblib.load
// replaces by an array read from a file next to the pickle (numpy.load with allow_pickle=True,
// or a zlib file), a file the pickle names.
bool is_joblib_sidecar_wrapper(const PickleValue& object);

// Steps `input` over the array data that follows the BUILD of `object` the way joblib.load
// reads it: past the rest of the current frame (read first and left as a detour, since joblib
// reads the data from the file behind the frame), then a nested pickle run with `hooks` for
// object arrays, else the raw region [offset, offset + length) that `raw` may look at before
// the rest of it is skipped. Returns false, touching nothing, when `object` is not a wrapper
// whose layout is known.
using RawRegionVisitor = std::function<void(PickleInput&, std::uint64_t length)>;
bool step_over_joblib_array(const PickleValue& object,
                            PickleInput& input,
                            std::uint64_t frame_left,
                            PickleHooks& hooks,
                            const RawRegionVisitor& raw);

} // namespace mlv::formats
