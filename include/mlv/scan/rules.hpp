#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mlv::scan {

// The version of the rules below (deny-list, allow-list, what is followed), recorded in pointers
// as `safety.scanner`: a verdict made by older rules is not the verdict of these.
inline constexpr int k_rules_version = 1;

enum class Severity { suspicious, unsafe };

// How a callable that a pickle names rates, and why (docs/safety.md lists both lists).
struct Rating {
  std::optional<Severity> severity; // none: on the allow-list
  std::string reason;               // the deny-list category, or why it is not allowed
};

// Rates the global `module`.`qualname` as an unpickler would resolve it: Python 2 module names
// are mapped as Python 3 maps them (__builtin__ -> builtins), and a dotted qualname, which is
// an attribute walk from the module, is rated for every object the walk passes through
// (posixpath's "os.system" is os.system).
Rating rate_callable(std::string_view module, std::string_view qualname);

// Callables that unpickle (or load with torch.load) a bytes argument: the payload is a pickle
// of its own and is scanned as one.
bool is_nested_loader(std::string_view dotted_name);

} // namespace mlv::scan
