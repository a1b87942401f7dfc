#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mlv::scan {

// The version of the rules below (deny-list, allow-list, what is followed), recorded in pointers
// as `safety.scanner`: a verdict made by older rules is not the verdict of these.
inline constexpr int k_rules_version = 2;

enum class Severity { suspicious, unsafe };

// How a callable that a pickle names rates, and why (docs/safety.md lists both lists).
struct Rating {
  std::optional<Severity> severity; // none: on the allow-list
  std::string reason;               // the deny-list category, or why it is not allowed
};

// Rates the global `module`.`qualname` as an unpickler would resolve it: Python 2 module names
// are mapped as Python 3 maps them (__builtin__ -> builtins). Allowed only when the allow-list
// holds the exact name; otherwise every dotted segment is judged, since a segment may reach a
// module or function other than its name says: an attribute walk through posixpath's "os" is
// os, `sklearn.utils.os` is os re-exported, and a segment naming a dangerous module or function
// (os, builtins, attrgetter, system...) makes the name unsafe.
Rating rate_callable(std::string_view module, std::string_view qualname);

// "module.qualname" with a Python 2 module name mapped as Python 3's unpickler maps it
// (copy_reg._reconstructor is copyreg._reconstructor).
std::string python3_name(std::string_view dotted_name);

// Callables that unpickle (or load with torch.load) a bytes argument: the payload is a pickle
// of its own and is scanned as one.
bool is_nested_loader(std::string_view dotted_name);

} // namespace mlv::scan
