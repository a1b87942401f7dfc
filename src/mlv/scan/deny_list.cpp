// The deny-list: callables that make a pickle unsafe, by category (docs/safety.md gives the
// reasoning). A pattern ending in '*' matches every name that starts with what precedes it
// ("os.*" is the os module and everything in and under it); any other pattern matches exactly.

#include "lists.hpp"

#include <array>

namespace mlv::scan::detail {

namespace {

constexpr std::string_view k_process = "process execution";
constexpr std::string_view k_code = "code evaluation or compilation";
constexpr std::string_view k_import = "dynamic import";
constexpr std::string_view k_attribute = k_attribute_category;
constexpr std::string_view k_file = "file access";
constexpr std::string_view k_network = "network access";
constexpr std::string_view k_unpickling = "nested unpickling or deserialization";

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

} // namespace

std::span<const DenyRule> deny_list() {
  return k_deny;
}

std::span<const std::string_view> dangerous_attributes() {
  return k_dangerous_attributes;
}

} // namespace mlv::scan::detail
