// The safety scanner's rules as data: which callables a pickle may name (the allow-list of
// ordinary model classes) and which make it unsafe (the deny-list), with the reasoning in
// docs/safety.md. A pattern ending in '*' matches every name that starts with what precedes it
// ("os.*" is the os module and everything in and under it); any other pattern matches exactly.
// The deny-list is consulted first, so a dangerous function inside an allowed package is denied.

#include <mlv/scan/rules.hpp>

#include <array>
#include <utility>

namespace mlv::scan {

namespace {

constexpr std::string_view k_process = "process execution";
constexpr std::string_view k_code = "code evaluation or compilation";
constexpr std::string_view k_import = "dynamic import";
constexpr std::string_view k_attribute = "dynamic attribute access";
constexpr std::string_view k_file = "file access";
constexpr std::string_view k_network = "network access";
constexpr std::string_view k_unpickling = "nested unpickling or deserialization";

struct DenyRule {
  std::string_view pattern;
  std::string_view category;
};

constexpr auto k_deny = std::to_array<DenyRule>({
    // Process execution, signals, the interpreter itself. os.system pickles as posix.system on
    // Linux and nt.system on Windows.
    {"os.*", k_process},
    {"posix.*", k_process},
    {"nt.*", k_process},
    {"_posixsubprocess.*", k_process},
    {"subprocess.*", k_process},
    {"pty.*", k_process},
    {"popen2.*", k_process},
    {"platform.*", k_process},
    {"multiprocessing.*", k_process},
    {"_multiprocessing.*", k_process},
    {"asyncio.*", k_process},
    {"pydoc.*", k_process},
    {"webbrowser.*", k_process},
    {"_winapi.*", k_process},
    {"msvcrt.*", k_process},
    {"signal.*", k_process},
    {"sys.*", k_process},
    {"ctypes.*", k_process},
    {"_ctypes.*", k_process},
    {"cffi.*", k_process},
    {"distutils.*", k_process},
    {"setuptools.*", k_process},
    {"pip.*", k_process},
    {"ensurepip.*", k_process},
    {"venv.*", k_process},
    {"atexit.*", k_process},
    {"builtins.help", k_process}, // starts a pager
    // Code evaluation and compilation.
    {"builtins.eval", k_code},
    {"builtins.exec", k_code},
    {"builtins.execfile", k_code},
    {"builtins.compile", k_code},
    {"builtins.input", k_code}, // Python 2's input() evaluates what it reads
    {"builtins.breakpoint", k_code},
    {"builtins.apply", k_code},
    {"types.CodeType", k_code},
    {"types.FunctionType", k_code},
    {"types.LambdaType", k_code},
    {"code.*", k_code},
    {"codeop.*", k_code},
    {"timeit.*", k_code},
    {"trace.*", k_code},
    {"pdb.*", k_code},
    {"bdb.*", k_code},
    {"profile.*", k_code},
    {"cProfile.*", k_code},
    {"doctest.*", k_code},
    {"idlelib.*", k_code},
    {"IPython.*", k_code},
    {"runpy.*", k_code},
    {"cloudpickle.*", k_code}, // rebuilds functions from code objects
    {"numexpr.*", k_code},
    {"pandas.eval", k_code},
    {"pandas.core.computation.*", k_code},
    {"operator.call", k_code},
    {"_operator.call", k_code},
    {"functools.reduce", k_code},
    {"_functools.reduce", k_code},
    {"torch.utils.cpp_extension.*", k_code},
    {"torch.package.*", k_code},
    {"torch.hub.*", k_code},
    {"torch.ops.load_library", k_code},
    {"torch.classes.load_library", k_code},
    {"numpy.f2py.*", k_code},
    {"numpy.distutils.*", k_code},
    {"numpy.testing.*", k_code},
    {"numpy.ctypeslib.*", k_code},
    {"sklearn.utils._testing.*", k_code},
    {"logging.config.*", k_code},
    // Dynamic import.
    {"builtins.__import__", k_import},
    {"builtins.reload", k_import},
    {"importlib.*", k_import},
    {"imp.*", k_import},
    {"_imp.*", k_import},
    {"pkgutil.*", k_import},
    {"zipimport.*", k_import},
    {"_frozen_importlib.*", k_import},
    {"_frozen_importlib_external.*", k_import},
    // Dynamic attribute access: reaches any callable without naming it.
    {"builtins.getattr", k_attribute},
    {"builtins.setattr", k_attribute},
    {"builtins.delattr", k_attribute},
    {"builtins.globals", k_attribute},
    {"builtins.locals", k_attribute},
    {"builtins.vars", k_attribute},
    {"operator.attrgetter", k_attribute},
    {"operator.methodcaller", k_attribute},
    {"_operator.attrgetter", k_attribute},
    {"_operator.methodcaller", k_attribute},
    {"gc.*", k_attribute},
    // File access.
    {"builtins.open", k_file},
    {"builtins.file", k_file},
    {"io.open", k_file},
    {"io.open_code", k_file},
    {"io.FileIO", k_file},
    {"_io.open", k_file},
    {"_io.open_code", k_file},
    {"_io.FileIO", k_file},
    {"codecs.open", k_file},
    {"shutil.*", k_file},
    {"tempfile.*", k_file},
    {"fileinput.*", k_file},
    {"linecache.*", k_file},
    {"mmap.*", k_file},
    {"zipfile.*", k_file},
    {"tarfile.*", k_file},
    {"shelve.*", k_file},
    {"dbm.*", k_file},
    {"sqlite3.*", k_file},
    {"gzip.open", k_file},
    {"gzip.GzipFile", k_file},
    {"bz2.open", k_file},
    {"bz2.BZ2File", k_file},
    {"lzma.open", k_file},
    {"lzma.LZMAFile", k_file},
    {"h5py.*", k_file},
    {"logging.FileHandler", k_file},
    {"logging.handlers.*", k_file},
    {"numpy.save", k_file},
    {"numpy.savez", k_file},
    {"numpy.savez_compressed", k_file},
    {"numpy.savetxt", k_file},
    {"numpy.loadtxt", k_file},
    {"numpy.genfromtxt", k_file},
    {"numpy.fromfile", k_file},
    {"numpy.memmap", k_file},
    {"numpy.core.memmap.*", k_file},
    {"numpy._core.memmap.*", k_file},
    {"numpy.lib.format.*", k_file},
    {"scipy.io.*", k_file},
    {"scipy.sparse.load_npz", k_file},
    {"scipy.sparse.save_npz", k_file},
    {"scipy.sparse._matrix_io.*", k_file},
    {"pandas.read_*", k_file},
    {"pandas.io.*", k_file},
    {"torch.save", k_file},
    {"torch.serialization.save", k_file},
    {"torch.from_file", k_file},
    // Network access.
    {"socket.*", k_network},
    {"_socket.*", k_network},
    {"ssl.*", k_network},
    {"http.*", k_network},
    {"urllib.request.*", k_network},
    {"urllib.urlopen", k_network},
    {"urllib.urlretrieve", k_network},
    {"urllib3.*", k_network},
    {"requests.*", k_network},
    {"httpx.*", k_network},
    {"aiohttp.*", k_network},
    {"ftplib.*", k_network},
    {"smtplib.*", k_network},
    {"poplib.*", k_network},
    {"imaplib.*", k_network},
    {"nntplib.*", k_network},
    {"telnetlib.*", k_network},
    {"xmlrpc.*", k_network},
    {"socketserver.*", k_network},
    {"asyncore.*", k_network},
    {"asynchat.*", k_network},
    // Nested unpickling and other loaders that build arbitrary objects.
    {"pickle.*", k_unpickling},
    {"_pickle.*", k_unpickling},
    {"dill.*", k_unpickling},
    {"jsonpickle.*", k_unpickling},
    {"marshal.*", k_unpickling},
    {"joblib.load", k_unpickling},
    {"joblib.numpy_pickle.load", k_unpickling},
    {"sklearn.externals.joblib.load", k_unpickling},
    {"sklearn.externals.joblib.numpy_pickle.load", k_unpickling},
    {"numpy.load", k_unpickling},
    {"numpy.loads", k_unpickling},
    {"numpy.lib.npyio.*", k_unpickling},
    {"numpy.core.numeric.loads", k_unpickling},
    {"torch.load", k_unpickling},
    {"torch.serialization.load", k_unpickling},
    {"torch.serialization._load", k_unpickling},
    {"torch.serialization._legacy_load", k_unpickling},
    {"yaml.load", k_unpickling},
    {"yaml.load_all", k_unpickling},
    {"yaml.unsafe_load", k_unpickling},
    {"yaml.unsafe_load_all", k_unpickling},
    {"yaml.full_load", k_unpickling},
    {"yaml.full_load_all", k_unpickling},
});

// Attribute names that, met on an attribute walk (a dotted qualname), reach the interpreter's
// internals: an object's class, globals, builtins or importer.
constexpr auto k_dangerous_attributes = std::to_array<std::string_view>({
    "__getattribute__", "__getattr__",       "__setattr__",    "__delattr__", "__import__",
    "__builtins__",     "__globals__",       "__subclasses__", "__class__",   "__base__",
    "__bases__",        "__mro__",           "__dict__",       "__code__",    "__closure__",
    "__func__",         "__self__",          "__loader__",     "__spec__",    "__reduce__",
    "__reduce_ex__",    "__init_subclass__", "__call__",
});

// Ordinary model classes and the helpers their pickles use. A '*' pattern allows only names
// without an attribute walk (no '.' in the qualname).
constexpr auto k_allow = std::to_array<std::string_view>({
    // Python's own value types and the reconstructors pickle itself writes.
    "builtins.set",
    "builtins.frozenset",
    "builtins.list",
    "builtins.dict",
    "builtins.tuple",
    "builtins.slice",
    "builtins.complex",
    "builtins.bytearray",
    "builtins.bytes",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.range",
    "builtins.object",
    "builtins.Ellipsis",
    "builtins.NotImplemented",
    "copyreg._reconstructor",
    "copyreg.__newobj__",
    "copyreg.__newobj_ex__",
    "_codecs.encode",
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.Counter",
    "collections.deque",
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "fractions.Fraction",
    "uuid.UUID",
    // numpy arrays, dtypes, scalars and random generators.
    "numpy.core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray._reconstruct",
    "numpy._core.multiarray.scalar",
    "numpy.core.numeric._frombuffer",
    "numpy._core.numeric._frombuffer",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.dtypes.*",
    "numpy.ma.core._mareconstruct",
    "numpy.ma.core.MaskedArray",
    "numpy.random._pickle.*",
    "numpy.random.__RandomState_ctor",
    "numpy.random._mt19937.MT19937",
    "numpy.random._pcg64.PCG64",
    "numpy.random._generator.Generator",
    "numpy.random.mtrand.RandomState",
    "numpy.bool_",
    "numpy.int8",
    "numpy.int16",
    "numpy.int32",
    "numpy.int64",
    "numpy.uint8",
    "numpy.uint16",
    "numpy.uint32",
    "numpy.uint64",
    "numpy.float16",
    "numpy.float32",
    "numpy.float64",
    "numpy.complex64",
    "numpy.complex128",
    "numpy.str_",
    "numpy.bytes_",
    "numpy.void",
    "numpy.datetime64",
    "numpy.timedelta64",
    // joblib's array wrappers (also as scikit-learn once vendored them).
    "joblib.numpy_pickle.NumpyArrayWrapper",
    "joblib.numpy_pickle.NDArrayWrapper",
    "joblib.numpy_pickle_compat.NDArrayWrapper",
    "joblib.numpy_pickle_compat.ZNDArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NDArrayWrapper",
    // scikit-learn estimators, transformers and what they hold.
    "sklearn.base.*",
    "sklearn.pipeline.*",
    "sklearn.compose.*",
    "sklearn.preprocessing.*",
    "sklearn.linear_model.*",
    "sklearn.svm.*",
    "sklearn.tree.*",
    "sklearn.ensemble.*",
    "sklearn.neighbors.*",
    "sklearn.naive_bayes.*",
    "sklearn.neural_network.*",
    "sklearn.cluster.*",
    "sklearn.decomposition.*",
    "sklearn.feature_extraction.*",
    "sklearn.feature_selection.*",
    "sklearn.impute.*",
    "sklearn.model_selection.*",
    "sklearn.calibration.*",
    "sklearn.discriminant_analysis.*",
    "sklearn.dummy.*",
    "sklearn.gaussian_process.*",
    "sklearn.isotonic.*",
    "sklearn.kernel_approximation.*",
    "sklearn.kernel_ridge.*",
    "sklearn.manifold.*",
    "sklearn.mixture.*",
    "sklearn.multiclass.*",
    "sklearn.multioutput.*",
    "sklearn.random_projection.*",
    "sklearn.semi_supervised.*",
    "sklearn.covariance.*",
    "sklearn.cross_decomposition.*",
    "sklearn.metrics.*",
    "sklearn._loss.*",
    "sklearn.utils._bunch.Bunch",
    // PyTorch tensors, parameters, modules, optimizers, dtypes and storages.
    "torch._utils._rebuild_*",
    "torch._tensor._rebuild_from_type",
    "torch._tensor._rebuild_from_type_v2",
    "torch.Size",
    "torch.device",
    "torch.Tensor",
    "torch.nn.*",
    "torch.optim.*",
    "torch.storage.TypedStorage",
    "torch.storage.UntypedStorage",
    "torch.storage._load_from_bytes",
    "torch.serialization._get_layout",
    "torch.FloatStorage",
    "torch.DoubleStorage",
    "torch.HalfStorage",
    "torch.BFloat16Storage",
    "torch.LongStorage",
    "torch.IntStorage",
    "torch.ShortStorage",
    "torch.CharStorage",
    "torch.ByteStorage",
    "torch.BoolStorage",
    "torch.ComplexFloatStorage",
    "torch.ComplexDoubleStorage",
    "torch.QInt8Storage",
    "torch.QUInt8Storage",
    "torch.QInt32Storage",
    "torch.QUInt4x2Storage",
    "torch.QUInt2x4Storage",
    "torch.UntypedStorage",
    "torch.float32",
    "torch.float",
    "torch.float64",
    "torch.double",
    "torch.float16",
    "torch.half",
    "torch.bfloat16",
    "torch.complex64",
    "torch.complex128",
    "torch.cfloat",
    "torch.cdouble",
    "torch.uint8",
    "torch.int8",
    "torch.int16",
    "torch.short",
    "torch.int32",
    "torch.int",
    "torch.int64",
    "torch.long",
    "torch.bool",
    "torch.qint8",
    "torch.quint8",
    "torch.qint32",
    "torch.float8_e4m3fn",
    "torch.float8_e5m2",
    "torch.strided",
    "torch.sparse_coo",
    "torch.sparse_csr",
    "torch.sparse_csc",
    "torch.contiguous_format",
    "torch.channels_last",
    "torch.channels_last_3d",
    "torch.preserve_format",
    "torch.per_tensor_affine",
    "torch.per_channel_affine",
    // Other model libraries' model classes.
    "xgboost.core.Booster",
    "xgboost.sklearn.*",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.*",
    "scipy.sparse.*",
    "pandas.core.*",
    "pandas._libs.*",
});

// Python 2 module names that Python 3's unpickler maps (Lib/_compat_pickle.py), where the
// mapping matters to the lists above.
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
  for (const auto& rule : k_deny) {
    if (matches(rule.pattern, name)) {
      return &rule;
    }
  }
  return nullptr;
}

bool allowed(std::string_view name, bool attribute_walk) {
  for (const auto pattern : k_allow) {
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
  for (const auto attribute : k_dangerous_attributes) {
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
      return {Severity::unsafe, std::string(k_attribute)};
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
    return {Severity::unsafe, std::string(k_attribute)};
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
