// How a callable rates against the lists in deny_list.cpp and allow_list.cpp.

#include "lists.hpp"

#include <mlv/scan/rules.hpp>

#include <array>
#include <unordered_set>
#include <utility>
#include <vector>

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

// Python 2 names of builtins that Python 3's unpickler maps to other names (NAME_MAPPING in
// Lib/_compat_pickle.py): protocol 0-2 pickles of range and str are written this way.
constexpr auto k_python2_names = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"builtins.xrange", "builtins.range"},
    {"builtins.unicode", "builtins.str"},
    {"builtins.basestring", "builtins.str"},
    {"builtins.long", "builtins.int"},
    {"builtins.unichr", "builtins.chr"},
    {"builtins.reduce", "functools.reduce"},
    {"builtins.intern", "sys.intern"},
    {"builtins.raw_input", "builtins.input"},
    {"itertools.izip", "builtins.zip"},
    {"itertools.imap", "builtins.map"},
    {"itertools.ifilter", "builtins.filter"},
    {"UserDict.UserDict", "collections.UserDict"},
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

// "os.*" matches os itself and every name under it; "pandas.read_*" every name it starts.
bool matches(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with(".*")) {
    const auto module = pattern.substr(0, pattern.size() - 2);
    return name.starts_with(module) && (name.size() == module.size() || name[module.size()] == '.');
  }
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

// Every allowed name, for exact lookups (the lists hold some eight hundred).
const std::unordered_set<std::string_view>& allowed_names() {
  static const auto names = [] {
    std::unordered_set<std::string_view> set;
    for (const auto list : {detail::allow_list(), detail::allow_list_sklearn(),
                            detail::allow_list_torch_nn(), detail::allow_list_pandas()}) {
      for (const auto& rule : list) {
        set.insert(rule.name);
      }
    }
    return set;
  }();
  return names;
}

const DenyRule* dangerous_segment(std::string_view segment) {
  for (const auto& rule : detail::dangerous_segments()) {
    if (rule.pattern == segment) {
      return &rule;
    }
  }
  return nullptr;
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

std::vector<std::string_view> split_dots(std::string_view name) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) {
      return parts;
    }
    start = dot + 1;
  }
}

} // namespace

Rating rate_callable(std::string_view module, std::string_view qualname) {
  const std::string full = python3_name(std::string(module) + "." + std::string(qualname));
  if (const auto* rule = denied(full)) {
    return {Severity::unsafe, std::string(rule->category)};
  }
  // Only exact names are allowed: never a prefix, never an attribute walk into an allowed
  // class or module that the list does not name itself.
  if (allowed_names().contains(full)) {
    return {std::nullopt, {}};
  }
  // Everything else is judged segment by segment, since what a name resolves to is not what it
  // says: an attribute of an allowed module can be the os module (`sklearn.utils.os`) or a
  // dangerous function imported into it, and a dotted qualname walks through objects. Module
  // segments count too (six.moves.builtins is the builtins module).
  const auto qualname_dunders = split_dots(qualname);
  for (std::size_t i = 0; i + 1 < qualname_dunders.size(); ++i) {
    if (is_dunder(qualname_dunders[i])) {
      return {Severity::unsafe, std::string(detail::k_attribute_category)};
    }
  }
  if (is_dangerous_attribute(qualname_dunders.back())) {
    return {Severity::unsafe, std::string(detail::k_attribute_category)};
  }
  const auto segments = split_dots(full);
  for (std::size_t i = 1; i < segments.size(); ++i) {
    // What the walk reaches from this segment on, as a name of its own: posixpath.os.system
    // is os.system.
    const auto tail =
        std::string_view(full).substr(static_cast<std::size_t>(segments[i].data() - full.data()));
    const auto dot = tail.find('.');
    const std::string walked =
        std::string(python3_module(tail.substr(0, dot))) +
        (dot == std::string_view::npos ? std::string() : std::string(tail.substr(dot)));
    if (const auto* rule = denied(walked)) {
      return {Severity::unsafe, std::string(rule->category)};
    }
  }
  // The first segment is the top-level module itself, which the deny-list rates (builtins.print
  // is harmless, builtins.eval is not); any later one reaches an object by that name.
  for (std::size_t i = 1; i < segments.size(); ++i) {
    if (const auto* rule = dangerous_segment(segments[i])) {
      return {Severity::unsafe, std::string(rule->category)};
    }
  }
  return {Severity::suspicious, "not on the allow-list"};
}

std::string python3_name(std::string_view dotted_name) {
  const auto dot = dotted_name.find('.');
  std::string name = dot == std::string_view::npos
                         ? std::string(dotted_name)
                         : std::string(python3_module(dotted_name.substr(0, dot))) +
                               std::string(dotted_name.substr(dot));
  for (const auto& [old_name, new_name] : k_python2_names) {
    if (name == old_name) {
      return std::string(new_name);
    }
  }
  return name;
}

bool is_nested_loader(std::string_view dotted_name) {
  const std::string name = python3_name(dotted_name);
  for (const auto loader : k_nested_loaders) {
    if (name == loader) {
      return true;
    }
  }
  return false;
}

} // namespace mlv::scan
