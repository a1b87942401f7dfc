#include <mlv/formats/joblib_array.hpp>

#include <array>
#include <cctype>
#include <string_view>

namespace mlv::formats {

namespace {

using Kind = PickleValue::Kind;

// joblib's wrapper class, also as vendored by scikit-learn < 0.23 (sklearn.externals.joblib),
// however the pickle splits the dotted name between module and qualified name (protocol 4
// walks attributes: "joblib" + "numpy_pickle.NumpyArrayWrapper" is the same class).
constexpr std::string_view k_wrapper = "joblib.numpy_pickle.NumpyArrayWrapper";
constexpr std::string_view k_vendored_wrapper =
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper";
// The rest of a frame is held in memory while the array behind it is stepped over; Python's
// pickler cuts frames at 64 KiB, so a larger rest only comes from a hand-made file.
constexpr std::uint64_t k_max_frame_rest = 64 << 20;
// Structured dtypes nest (fields of fields); deeper than this is not followed.
constexpr int k_max_dtype_depth = 8;
// Array sizes are refused past this (2^62 bytes), which also keeps the products from overflowing.
constexpr std::uint64_t k_max_array_bytes = 1ull << 62;
// numpy's dtype pickle state: (version, byteorder, subarray, names, fields, elsize, alignment,
// flags[, metadata]).
constexpr std::size_t k_state_subarray = 2;
constexpr std::size_t k_state_fields = 4;
constexpr std::size_t k_state_elsize = 5;
constexpr std::size_t k_state_flags = 7;
constexpr std::int64_t k_flag_has_object = 0x01; // NPY_ITEM_HASOBJECT
// Item sizes of numpy's fixed-size type codes written without digits ("f" is float32).
constexpr std::string_view k_codes = "?bBhHiIlLqQpPefdgFDGMm";
constexpr std::array<std::uint64_t, 22> k_code_sizes = {1, 1, 1, 2, 2, 4,  4, 8,  8,  8, 8,
                                                        8, 8, 2, 4, 8, 16, 8, 16, 32, 8, 8};

// The class an object was made of: the callable of NEWOBJ, INST, OBJ or REDUCE, or the class
// copyreg._reconstructor was given (protocols 0 and 1).
const PickleValue* class_of(const PickleValue& object) {
  if (object.kind != Kind::object || object.callable == nullptr ||
      object.callable->kind != Kind::global) {
    return nullptr;
  }
  const PickleValue* cls = object.callable;
  const auto dotted = cls->dotted_name();
  if ((dotted == "copyreg._reconstructor" || dotted == "copy_reg._reconstructor") &&
      object.args != nullptr) {
    const PickleValue* inner = object.args->item(0);
    return inner != nullptr && inner->kind == Kind::global ? inner : nullptr;
  }
  return cls;
}

bool is_wrapper(const PickleValue& object) {
  const PickleValue* cls = class_of(object);
  if (cls == nullptr) {
    return false;
  }
  const auto dotted = cls->dotted_name();
  return dotted == k_wrapper || dotted == k_vendored_wrapper;
}

std::optional<std::uint64_t> known_integer(const PickleValue* value) {
  if (value == nullptr || value->kind != Kind::integer || !value->complete || value->integer < 0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(value->integer);
}

struct Dtype {
  std::uint64_t item_size = 0;
  bool has_object = false;
};

std::optional<Dtype> dtype_of(const PickleValue* value, int depth);

// Whether any dtype among a structured dtype's fields ({name: (dtype, offset[, title])}) or its
// subarray ((dtype, shape)) holds objects; nothing when one cannot be read.
std::optional<bool> nested_objects(const PickleValue& state, int depth) {
  const PickleValue* fields = state.item(k_state_fields);
  if (fields != nullptr && fields->kind == Kind::dict) {
    if (!fields->complete) {
      return std::nullopt;
    }
    for (std::size_t i = 1; i < fields->items.size(); i += 2) {
      const auto field = dtype_of(fields->items[i]->item(0), depth + 1);
      if (!field) {
        return std::nullopt;
      }
      if (field->has_object) {
        return true;
      }
    }
  } else if (fields != nullptr && fields->kind != Kind::none) {
    return std::nullopt;
  }
  const PickleValue* subarray = state.item(k_state_subarray);
  if (subarray != nullptr && subarray->kind == Kind::tuple) {
    const auto base = dtype_of(subarray->item(0), depth + 1);
    if (!base) {
      return std::nullopt;
    }
    return base->has_object;
  }
  if (subarray != nullptr && subarray->kind != Kind::none) {
    return std::nullopt;
  }
  return false;
}

// A numpy.dtype(typestr, align, copy) object with its BUILD state, read as numpy's
// arraydescr_setstate applies it: the state's item size counts only for the flexible kinds
// (S, U, V), while its flags decide hasobject for every kind.
std::optional<Dtype> dtype_of(const PickleValue* value, int depth) {
  if (value == nullptr || depth > k_max_dtype_depth || value->kind != Kind::object ||
      value->callable == nullptr || value->callable->kind != Kind::global ||
      !(value->callable->name == "dtype" || value->callable->name.ends_with(".dtype")) ||
      value->args == nullptr) {
    return std::nullopt;
  }
  const PickleValue* type = value->args->item(0);
  if (type == nullptr || type->kind != Kind::text || !type->complete || type->text.empty()) {
    return std::nullopt;
  }
  std::string_view code = type->text;
  if (code.front() == '<' || code.front() == '>' || code.front() == '|' || code.front() == '=') {
    code.remove_prefix(1);
  }
  if (code.empty()) {
    return std::nullopt;
  }
  const PickleValue empty_state;
  const PickleValue& state = value->state != nullptr ? *value->state : empty_state;
  if (value->state != nullptr && state.kind != Kind::tuple) {
    return std::nullopt;
  }
  Dtype dtype;
  const PickleValue* flags = state.item(k_state_flags);
  if (flags != nullptr && (flags->kind != Kind::integer || !flags->complete)) {
    return std::nullopt;
  }
  if (code.front() == 'O') {
    dtype.has_object = true;
    return dtype;
  }
  const auto nested = nested_objects(state, depth);
  if (!nested) {
    return std::nullopt;
  }
  dtype.has_object = flags != nullptr ? (flags->integer & k_flag_has_object) != 0 : *nested;
  if (dtype.has_object) {
    return dtype;
  }
  const bool flexible =
      code.front() == 'S' || code.front() == 'U' || code.front() == 'V' || code.front() == 'a';
  const PickleValue* elsize = state.item(k_state_elsize);
  if (flexible && elsize != nullptr) {
    const auto size = known_integer(elsize);
    if (!size) {
      return std::nullopt;
    }
    dtype.item_size = *size;
    return dtype;
  }
  const auto has_subarray_or_fields = [&] {
    const PickleValue* sub = state.item(k_state_subarray);
    const PickleValue* fields = state.item(k_state_fields);
    return (sub != nullptr && sub->kind != Kind::none) ||
           (fields != nullptr && fields->kind != Kind::none);
  };
  if (!flexible && has_subarray_or_fields()) {
    return std::nullopt; // not what numpy pickles: the scanner does not guess its size
  }
  // The size the type code gives: its digits ("f8", "V16"; "U5" is 5 characters of 4 bytes),
  // or the fixed size of a code without digits.
  std::uint64_t digits = 0;
  bool any = false;
  for (const char c : code.substr(1)) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 || digits > k_max_array_bytes / 10) {
      if ((code.front() == 'M' || code.front() == 'm') && c == '[') {
        break; // datetime64[unit]
      }
      return std::nullopt;
    }
    digits = digits * 10 + static_cast<std::uint64_t>(c - '0');
    any = true;
  }
  if (any) {
    dtype.item_size = code.front() == 'U' ? digits * 4 : digits;
    return dtype;
  }
  const auto fixed = k_codes.find(code.front());
  if (fixed == std::string_view::npos || code.size() > 1) {
    return std::nullopt;
  }
  dtype.item_size = k_code_sizes[fixed];
  return dtype;
}

// Items in an array of `shape` (a tuple or list of integers; () is a scalar, one item).
std::optional<std::uint64_t> item_count(const PickleValue* shape) {
  if (shape == nullptr || (shape->kind != Kind::tuple && shape->kind != Kind::list) ||
      !shape->complete) {
    return std::nullopt;
  }
  std::uint64_t count = 1;
  for (const auto* dimension : shape->items) {
    const auto length = known_integer(dimension);
    if (!length) {
      return std::nullopt;
    }
    if (*length != 0 && count > k_max_array_bytes / *length) {
      return std::nullopt;
    }
    count *= *length;
  }
  return count;
}

} // namespace

bool is_joblib_array_wrapper(const PickleValue& object) {
  return is_wrapper(object);
}

bool is_joblib_sidecar_wrapper(const PickleValue& object) {
  const PickleValue* cls = class_of(object);
  if (cls == nullptr) {
    return false;
  }
  const std::string dotted = cls->dotted_name();
  for (const std::string_view module : {"joblib.numpy_pickle.", "joblib.numpy_pickle_compat.",
                                        "sklearn.externals.joblib.numpy_pickle.",
                                        "sklearn.externals.joblib.numpy_pickle_compat."}) {
    if (dotted == std::string(module) + "NDArrayWrapper" ||
        dotted == std::string(module) + "ZNDArrayWrapper") {
      return true;
    }
  }
  return false;
}

std::optional<JoblibArray> joblib_array_of(const PickleValue& object) {
  if (!is_wrapper(object) || object.state == nullptr) {
    return std::nullopt;
  }
  // BUILD's state updates the instance's __dict__; a (dict, slots) pair sets both.
  std::vector<const PickleValue*> states;
  if (object.state->kind == Kind::dict) {
    states.push_back(object.state);
  } else if (object.state->kind == Kind::tuple && object.state->items.size() == 2) {
    for (const auto* part : object.state->items) {
      if (part->kind == Kind::dict) {
        states.push_back(part);
      } else if (part->kind != Kind::none) {
        return std::nullopt;
      }
    }
  } else {
    return std::nullopt;
  }
  const auto attribute = [&](std::string_view key) -> const PickleValue* {
    const PickleValue* found = nullptr;
    for (const auto* state : states) {
      if (!state->complete) {
        return nullptr;
      }
      if (const PickleValue* value = state->get(key)) {
        found = value;
      }
    }
    return found;
  };
  const PickleValue* dtype_value = attribute("dtype");
  const PickleValue* shape = attribute("shape");
  const PickleValue* alignment = attribute("numpy_array_alignment_bytes");
  // Made by calling the class with arguments (REDUCE, INST, OBJ), __init__ sets the attributes
  // the state does not (alignment included, by default); made by NEWOBJ it does not. The
  // scanner cannot tell which, so it only follows a wrapper whose state sets everything.
  const bool called_with_arguments = object.callable->kind == Kind::global &&
                                     object.callable == class_of(object) &&
                                     object.args != nullptr && !object.args->items.empty();
  if (called_with_arguments && alignment == nullptr) {
    return std::nullopt;
  }
  const auto dtype = dtype_of(dtype_value, 0);
  if (!dtype) {
    return std::nullopt;
  }
  JoblibArray array;
  if (const PickleValue* type = dtype_value->args->item(0)) {
    array.dtype = type->text;
  }
  if (shape != nullptr && (shape->kind == Kind::tuple || shape->kind == Kind::list) &&
      shape->complete) {
    for (const auto* dimension : shape->items) {
      const auto length = known_integer(dimension);
      if (!length) {
        array.shape.clear();
        break;
      }
      array.shape.push_back(*length);
    }
  }
  if (dtype->has_object) {
    array.object_dtype = true;
    return array;
  }
  const auto count = item_count(shape);
  if (!count || (*count != 0 && dtype->item_size > k_max_array_bytes / *count)) {
    return std::nullopt;
  }
  array.data_size = *count * dtype->item_size;
  // joblib reads the padding when the attribute is there and not None, whatever its value.
  if (alignment != nullptr && alignment->kind == Kind::unknown) {
    return std::nullopt; // a float, or a value the scanner did not keep
  }
  array.aligned = alignment != nullptr && alignment->kind != Kind::none;
  return array;
}

bool step_over_joblib_array(const PickleValue& object,
                            PickleInput& input,
                            std::uint64_t frame_left,
                            PickleHooks& hooks,
                            const RawRegionVisitor& raw) {
  const auto array = joblib_array_of(object);
  if (!array || frame_left > k_max_frame_rest) {
    return false;
  }
  // joblib reads the array from the file, behind the frame the unpickler holds in memory; the
  // frame's rest is unpickled after the array.
  const std::uint64_t rest_offset = input.offset();
  std::string rest;
  input.read(rest, frame_left, frame_left);

  if (array->object_dtype) {
    run_pickle(input, hooks);
  } else {
    std::uint64_t length = array->data_size;
    if (array->aligned) {
      const auto padding = input.peek(1);
      length += padding.empty() ? 0 : 1 + static_cast<unsigned char>(padding.front());
    }
    std::uint64_t left = 0;
    {
      PickleInput::Limit limit(input, length);
      if (raw) {
        raw(input, length);
      }
      left = limit.left();
    }
    input.skip(left);
  }
  if (!rest.empty()) {
    input.detour(std::move(rest), rest_offset);
  }
  return true;
}

} // namespace mlv::formats
