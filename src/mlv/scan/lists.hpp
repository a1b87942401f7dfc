#pragma once

// Private to the scan module: the safety rules as data (deny_list.cpp, allow_list.cpp).

#include <span>
#include <string_view>

namespace mlv::scan::detail {

struct DenyRule {
  std::string_view pattern;  // "os.system", or "os.*" for a module and all under it
  std::string_view category; // why: "process execution", "file access"...
};

// The category of a dotted name that walks through an interpreter attribute (__globals__...).
inline constexpr std::string_view k_attribute_category = "dynamic attribute access";

std::span<const DenyRule> deny_list();
// Attribute names that, met on an attribute walk, reach the interpreter's internals.
std::span<const std::string_view> dangerous_attributes();
std::span<const std::string_view> allow_list();

} // namespace mlv::scan::detail
