#pragma once

// A .npy header judged the way numpy.load reads it
// (numpy/lib/format.py): the header is a Python literal (ast.literal_eval, string escapes and
// adjacent strings included), its 'descr' goes through descr_to_dtype and numpy.dtype, and an
// array whose dtype holds objects is a pickle after the header.

#include <string_view>

namespace mlv::formats {

enum class NpyDtype {
  plain,   // numbers, strings, dates, structured types of those: no pickle follows
  objects, // numpy.load unpickles what follows the header
  unknown, // a header or descr the scanner cannot evaluate (numpy might)
};

// `header`: the header's bytes; `utf8`: version 3 headers are UTF-8, earlier ones latin-1 (and
// may hold Python 2 long literals, 10L).
NpyDtype judge_npy_header(std::string_view header, bool utf8);

} // namespace mlv::formats
