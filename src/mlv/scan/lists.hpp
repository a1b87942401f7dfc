#pragma once

// Private to the scan module: the safety rules as data (deny_list.cpp, allow_list*.cpp).

#include <cstddef>
#include <span>
#include <string_view>

namespace mlv::scan::detail {

struct DenyRule {
  std::string_view pattern;  // "os.system"; "os.*" for the module os, and all in and under it
  std::string_view category; // why: "process execution", "file access"...
};

// An exact name ("module.qualname") that is clean, and why calling it with whatever arguments a
// hostile pickle chooses is harmless.
struct AllowRule {
  std::string_view name;
  std::string_view reason;
};

// What one argument of an allowed callable that calls or looks up that argument must be for
// the call to stay harmless (the rest of the time the callable is allowed as usual).
enum class ArgumentMust {
  be_a_global,       // a name the pickle imports (then rated on its own), not a value made while
                     // loading: the callable calls it or its __new__
  be_absent_or_one,  // absent, or exactly the global `name`
  be_text,           // absent, or a constant string: the callable looks the string up
  be_text_or_global, // absent, a constant string, or a name the pickle imports (rated on its own)
};

struct ArgumentRule {
  std::string_view callable; // "copyreg._reconstructor"
  std::size_t index;         // of the argument
  ArgumentMust must;
  std::string_view name; // be_absent_or_one: the one global accepted
  std::string_view why;  // what the callable does with the argument
};

// The category of a dotted name that walks through an interpreter attribute (__globals__...).
inline constexpr std::string_view k_attribute_category = "dynamic attribute access";

std::span<const DenyRule> deny_list();
// Attribute names that, met on an attribute walk, reach the interpreter's internals.
std::span<const std::string_view> dangerous_attributes();
// Names of dangerous modules and functions: a segment of a name outside the allow-list that is
// one of these (`sklearn.utils.os`, `<module>.attrgetter`) makes the name unsafe, since the
// object it reaches is that module or function, re-exported.
std::span<const DenyRule> dangerous_segments();

std::span<const AllowRule> allow_list();          // Python, numpy, joblib, PyTorch, others
std::span<const AllowRule> allow_list_sklearn();  // scikit-learn's classes (allow_list_sklearn.cpp)
std::span<const AllowRule> allow_list_torch_nn(); // torch.nn modules, optimizers
std::span<const AllowRule> allow_list_pandas();   // pandas' data classes
std::span<const ArgumentRule> argument_rules();

} // namespace mlv::scan::detail
