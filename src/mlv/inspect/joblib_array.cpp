#include <mlv/inspect/joblib_array.hpp>

#include <cctype>
#include <string_view>

namespace mlv::inspect {

namespace {

using Kind = PickleValue::Kind;

// joblib's wrapper class, also as vendored by scikit-learn < 0.23 (sklearn.externals.joblib).
constexpr std::string_view k_wrapper_module_suffix = "joblib.numpy_pickle";
constexpr std::string_view k_wrapper_class = "NumpyArrayWrapper";
// The rest of a frame is held in memory while the array behind it is stepped over; Python's
// pickler cuts frames at 64 KiB, so a larger rest only comes from a hand-made file.
constexpr std::uint64_t k_max_frame_rest = 64 << 20;
// Structured dtypes nest (fields of fields); deeper than this is not followed.
constexpr int k_max_dtype_depth = 8;
// Array sizes are refused past this (2^62 bytes), which also keeps the products from overflowing.
constexpr std::uint64_t k_max_array_bytes = 1ull << 62;
// numpy's dtype pickle state: (version, byteorder, subarray, names, fields, elsize, ...).
constexpr std::size_t k_state_subarray = 2;
constexpr std::size_t k_state_fields = 4;
constexpr std::size_t k_state_elsize = 5;

bool is_wrapper(const PickleValue& object) {
  if (object.kind != Kind::object || object.callable == nullptr) {
    return false;
  }
  const auto& cls = *object.callable;
  return cls.kind == Kind::global && cls.name == k_wrapper_class &&
         (cls.text == k_wrapper_module_suffix ||
          std::string_view(cls.text).ends_with("." + std::string(k_wrapper_module_suffix)));
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
  }
  const PickleValue* subarray = state.item(k_state_subarray);
  if (subarray != nullptr && subarray->kind == Kind::tuple) {
    const auto base = dtype_of(subarray->item(0), depth + 1);
    if (!base) {
      return std::nullopt;
    }
    return base->has_object;
  }
  return false;
}

// A numpy.dtype(typestr, align, copy) object with its BUILD state.
std::optional<Dtype> dtype_of(const PickleValue* value, int depth) {
  if (value == nullptr || depth > k_max_dtype_depth || value->kind != Kind::object ||
      value->callable == nullptr || value->callable->kind != Kind::global ||
      value->callable->name != "dtype" || value->args == nullptr) {
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
  Dtype dtype;
  if (code.front() == 'O') {
    dtype.has_object = true;
    return dtype;
  }
  const PickleValue empty_state;
  const PickleValue& state = value->state != nullptr ? *value->state : empty_state;
  const auto nested = nested_objects(state, depth);
  if (!nested) {
    return std::nullopt;
  }
  dtype.has_object = *nested;
  if (const auto elsize = known_integer(state.item(k_state_elsize)); elsize && *elsize > 0) {
    dtype.item_size = *elsize;
    return dtype;
  }
  // No explicit size: the digits of the type code ("f8", "i4", "b1").
  std::uint64_t digits = 0;
  bool any = false;
  for (const char c : code.substr(1)) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 || digits > k_max_array_bytes / 10) {
      return std::nullopt;
    }
    digits = digits * 10 + static_cast<std::uint64_t>(c - '0');
    any = true;
  }
  if (!any && (code.front() == '?' || code.front() == 'b')) {
    digits = 1; // "?" is a one-byte bool
    any = true;
  }
  if (!any) {
    return std::nullopt;
  }
  dtype.item_size = digits;
  return dtype;
}

// Items in an array of `shape` (a tuple of integers; () is a scalar, one item).
std::optional<std::uint64_t> item_count(const PickleValue* shape) {
  if (shape == nullptr || shape->kind != Kind::tuple || !shape->complete) {
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

std::optional<JoblibArray> joblib_array_of(const PickleValue& object) {
  if (!is_wrapper(object) || object.state == nullptr || object.state->kind != Kind::dict) {
    return std::nullopt;
  }
  const PickleValue& state = *object.state;
  const auto dtype = dtype_of(state.get("dtype"), 0);
  if (!dtype) {
    return std::nullopt;
  }
  JoblibArray array;
  if (const PickleValue* type = state.get("dtype")->args->item(0)) {
    array.dtype = type->text;
  }
  if (const PickleValue* shape = state.get("shape");
      shape != nullptr && shape->kind == Kind::tuple && shape->complete) {
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
  const auto count = item_count(state.get("shape"));
  if (!count || (*count != 0 && dtype->item_size > k_max_array_bytes / *count)) {
    return std::nullopt;
  }
  array.data_size = *count * dtype->item_size;
  const PickleValue* alignment = state.get("numpy_array_alignment_bytes");
  array.aligned = alignment != nullptr && alignment->kind == Kind::integer;
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

} // namespace mlv::inspect
