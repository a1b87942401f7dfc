// How a callable rates against the lists in deny_list.cpp and allow_list.cpp.

#include "lists.hpp"

#include <mlv/scan/rules.hpp>

#include <array>
#include <utility>

namespace mlv::scan {

namespace {

using detail::DenyRule;

// Python 2 module names that Python 3's unpickler maps (Lib/_compat_pickle.py), where the
// mapping matters to the deny-list and allow-list.
constexpr auto k_python2_modules = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"__builtin__", "builtins"},
    {"exceptions", "builtins"},
    {"copy_reg", "copyreg"},
    {"cPickle", "pickle"},
    {"commands", "subprocess"},
    {"httplib", "http.client"},
    {"urllib2", "urllib.request"},
    {"SocketServer", "socketserver"},
    {"xmlrpclib", "xmlrpc.client"},
    {"BaseHTTPServer", "http.server"},
    {"SimpleHTTPServer", "http.server"},
    {"CGIHTTPServer", "http.server"},
    {"thread", "_thread"},
    {"_winreg", "winreg"},
    {"UserDict", "collections"},
});

// Callables whose bytes argument is itself unpickled (or torch.load-ed).
constexpr auto k_nested_loaders = std::to_array<std::string_view>({
    "pickle.loads",
    "pickle.load",
    "pickle._loads",
    "pickle._load",
    "_pickle.loads",
    "_pickle.load",
    "dill.loads",
    "dill._dill.loads",
    "cloudpickle.loads",
    "joblib.load",
    "numpy.loads",
    "numpy.core.numeric.loads",
    "torch.load",
    "torch.serialization.load",
    "torch.storage._load_from_bytes",
});

bool matches(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with('*')) {
    return name.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return name == pattern;
}

std::string_view python3_module(std::string_view module) {
  for (const auto& [old_name, new_name] : k_python2_modules) {
    if (module == old_name) {
      return new_name;
    }
  }
  return module;
}

const DenyRule* denied(std::string_view name) {
  for (const auto& rule : detail::deny_list()) {
    if (matches(rule.pattern, name)) {
      return &rule;
    }
  }
  return nullptr;
}

bool allowed(std::string_view name, bool attribute_walk) {
  for (const auto pattern : detail::allow_list()) {
    if (attribute_walk ? name == pattern : matches(pattern, name)) {
      return true;
    }
  }
  return false;
}

bool is_dunder(std::string_view part) {
  return part.size() > 4 && part.starts_with("__") && part.ends_with("__");
}

bool is_dangerous_attribute(std::string_view part) {
  for (const auto attribute : detail::dangerous_attributes()) {
    if (part == attribute) {
      return true;
    }
  }
  return false;
}

} // namespace

Rating rate_callable(std::string_view module, std::string_view qualname) {
  const std::string full = std::string(python3_module(module)) + "." + std::string(qualname);
  if (const auto* rule = denied(full)) {
    return {Severity::unsafe, std::string(rule->category)};
  }
  // An attribute walk "a.b.c" passes through a, a.b and reaches c: the objects it passes may be
  // modules imported by the first one (posixpath.os, torch.os).
  const bool attribute_walk = qualname.find('.') != std::string_view::npos;
  for (std::size_t dot = qualname.find('.'); dot != std::string_view::npos;
       dot = qualname.find('.', dot + 1)) {
    const auto part = qualname.substr(0, dot);
    const auto last_part = part.substr(part.rfind('.') + 1);
    if (is_dunder(last_part)) {
      return {Severity::unsafe, std::string(detail::k_attribute_category)};
    }
  }
  for (std::size_t start = 0; attribute_walk;) {
    const auto tail = qualname.substr(start);
    const auto dot = tail.find('.');
    if (dot == std::string_view::npos) {
      break;
    }
    const std::string walked =
        std::string(python3_module(tail.substr(0, dot))) + std::string(tail.substr(dot));
    if (const auto* rule = denied(walked)) {
      return {Severity::unsafe, std::string(rule->category)};
    }
    start += dot + 1;
  }
  if (is_dangerous_attribute(qualname.substr(qualname.rfind('.') + 1))) {
    return {Severity::unsafe, std::string(detail::k_attribute_category)};
  }
  if (allowed(full, attribute_walk)) {
    return {std::nullopt, {}};
  }
  return {Severity::suspicious, "not on the allow-list"};
}

bool is_nested_loader(std::string_view dotted_name) {
  const auto dot = dotted_name.find('.');
  const std::string name = dot == std::string_view::npos
                               ? std::string(dotted_name)
                               : std::string(python3_module(dotted_name.substr(0, dot))) +
                                     std::string(dotted_name.substr(dot));
  for (const auto loader : k_nested_loaders) {
    if (name == loader) {
      return true;
    }
  }
  return false;
}

} // namespace mlv::scan
