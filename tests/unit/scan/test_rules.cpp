// The deny-list and allow-list: what makes a callable unsafe, suspicious or allowed.

#include <mlv/scan/rules.hpp>

#include <gtest/gtest.h>

namespace mlv::scan {
namespace {

struct Case {
  const char* module;
  const char* name;
  const char* category; // expected deny-list category
};

TEST(Rules, DeniedCallablesAndTheirAliases) {
  for (const auto& c : {
           Case{"os", "system", "process execution"},
           Case{"posix", "system", "process execution"},
           Case{"nt", "system", "process execution"},
           Case{"subprocess", "Popen", "process execution"},
           Case{"commands", "getoutput", "process execution"}, // Python 2, mapped to subprocess
           Case{"builtins", "eval", "code evaluation or compilation"},
           Case{"__builtin__", "exec", "code evaluation or compilation"},
           Case{"builtins", "compile", "code evaluation or compilation"},
           Case{"runpy", "_run_code", "code evaluation or compilation"},
           Case{"functools", "reduce", "code evaluation or compilation"},
           Case{"builtins", "__import__", "dynamic import"},
           Case{"importlib", "import_module", "dynamic import"},
           Case{"builtins", "getattr", "dynamic attribute access"},
           Case{"_operator", "attrgetter", "dynamic attribute access"},
           Case{"operator", "methodcaller", "dynamic attribute access"},
           Case{"builtins", "open", "file access"},
           Case{"_io", "FileIO", "file access"},
           Case{"shutil", "rmtree", "file access"},
           Case{"socket", "create_connection", "network access"},
           Case{"urllib.request", "urlopen", "network access"},
           Case{"pickle", "loads", "nested unpickling or deserialization"},
           Case{"cPickle", "loads", "nested unpickling or deserialization"},
           Case{"_pickle", "loads", "nested unpickling or deserialization"},
           Case{"torch", "load", "nested unpickling or deserialization"},
           Case{"numpy", "load", "nested unpickling or deserialization"},
       }) {
    const auto rating = rate_callable(c.module, c.name);
    ASSERT_TRUE(rating.severity) << c.module << "." << c.name;
    EXPECT_EQ(*rating.severity, Severity::unsafe) << c.module << "." << c.name;
    EXPECT_EQ(rating.reason, c.category) << c.module << "." << c.name;
  }
}

TEST(Rules, AttributeWalksAreRatedByWhatTheyReach) {
  // Protocol 4 resolves a dotted name attribute by attribute: posixpath.os is the os module.
  EXPECT_EQ(rate_callable("posixpath", "os.system").severity, Severity::unsafe);
  EXPECT_EQ(rate_callable("torch", "os.system").severity, Severity::unsafe);
  EXPECT_EQ(rate_callable("numpy", "lib.npyio.load").severity, Severity::unsafe);
  EXPECT_EQ(rate_callable("builtins", "object.__getattribute__").severity, Severity::unsafe);
  EXPECT_EQ(rate_callable("sklearn.base", "BaseEstimator.__init__.__globals__").severity,
            Severity::unsafe);
  // An allowed package's prefix does not allow a walk into its classes.
  EXPECT_EQ(rate_callable("sklearn.base", "BaseEstimator.set_params").severity,
            Severity::suspicious);
}

TEST(Rules, OrdinaryModelClassesAreAllowed) {
  for (const auto& [module, name] : std::initializer_list<std::pair<const char*, const char*>>{
           {"sklearn.ensemble._forest", "RandomForestClassifier"},
           {"sklearn.pipeline", "Pipeline"},
           {"numpy.core.multiarray", "_reconstruct"},
           {"numpy", "dtype"},
           {"numpy.random._pickle", "__randomstate_ctor"},
           {"joblib.numpy_pickle", "NumpyArrayWrapper"},
           {"torch._utils", "_rebuild_tensor_v2"},
           {"torch", "FloatStorage"},
           {"collections", "OrderedDict"},
           {"copy_reg", "_reconstructor"},
           {"__builtin__", "object"},
           {"_codecs", "encode"},
       }) {
    EXPECT_FALSE(rate_callable(module, name).severity) << module << "." << name;
  }
}

TEST(Rules, DenyListWinsInsideAllowedPackages) {
  EXPECT_EQ(rate_callable("sklearn.utils._testing", "assert_run_python_script").severity,
            Severity::unsafe);
  EXPECT_EQ(rate_callable("pandas.core.computation.eval", "eval").severity, Severity::unsafe);
  EXPECT_EQ(rate_callable("pandas", "read_pickle").severity, Severity::unsafe);
  EXPECT_EQ(rate_callable("torch.hub", "load").severity, Severity::unsafe);
}

TEST(Rules, NamesThatRunOrLookUpCodeOutsideTheOldLists) {
  for (const auto& [module, name] : std::initializer_list<std::pair<const char*, const char*>>{
           {"inspect", "getattr_static"},
           {"typing", "get_type_hints"},
           {"typing", "ForwardRef"},
           {"_osx_support", "_find_build_tool"},
           {"uuid", "_get_command_stdout"},
           {"uuid", "_ifconfig_getnode"},
           {"dataclasses", "_create_fn"},
           {"lib2to3.pgen2.pgen", "generate_grammar"},
           {"torch.jit.frontend", "execWrapper"},
           {"torch._jit_internal", "createResolutionCallbackFromEnv"},
           {"__builtin__", "reduce"},    // Python 3 maps it to functools.reduce
           {"__builtin__", "raw_input"}, // ... and this to input
           {"codecs", "register"},
           {"copy_reg", "add_extension"},
           {"sklearn.metrics._scorer", "_cached_call"},
           {"torch._tensor", "_rebuild_from_type"},
           {"torch.nn.utils.rnn", "bind"},
       }) {
    EXPECT_EQ(rate_callable(module, name).severity, Severity::unsafe) << module << "." << name;
  }
}

TEST(Rules, EverySegmentIsJudged) {
  // A dangerous module or function reached through an allowed module's namespace.
  for (const auto& [module, name] : std::initializer_list<std::pair<const char*, const char*>>{
           {"sklearn.utils", "os"},
           {"numpy.core", "os"},
           {"torch.serialization", "os"},
           {"sklearn.ensemble._forest", "os"},
           {"sklearn.metrics._scorer", "attrgetter"},
           {"torch.nn.modules.module", "methodcaller"},
           {"numpy", "sys"},
           {"six.moves.builtins", "eval"},
           {"six.moves", "builtins.getattr"},
           {"?", "system"},
           {"torch", "_utils._rebuild_tensor_v2.__globals__"},
       }) {
    EXPECT_EQ(rate_callable(module, name).severity, Severity::unsafe) << module << "." << name;
  }
  // Allowed only exactly: an allowed class's attributes, or a module's other names, are not.
  EXPECT_EQ(rate_callable("sklearn.pipeline", "Pipeline.fit").severity, Severity::suspicious);
  EXPECT_EQ(rate_callable("sklearn.pipeline", "check_memory").severity, Severity::suspicious);
  EXPECT_EQ(rate_callable("torch.nn.functional", "relu").severity, Severity::suspicious);
  // builtins itself is the first segment: its harmless names are merely not allowed.
  EXPECT_EQ(rate_callable("builtins", "print").severity, Severity::suspicious);
}

TEST(Rules, AllowedNamesStayAllowedWhateverTheirSegmentsSay) {
  // The allowed names themselves stay allowed, whatever their segments say
  // (numpy.random._pickle is numpy's module, not the pickle module).
  EXPECT_FALSE(rate_callable("numpy.random._pickle", "__randomstate_ctor").severity);
  EXPECT_FALSE(rate_callable("torch.nn.modules.linear", "Linear").severity);
  EXPECT_FALSE(rate_callable("sklearn.tree._tree", "Tree").severity);
  EXPECT_FALSE(rate_callable("scipy.sparse._csr", "csr_matrix").severity);
  EXPECT_FALSE(rate_callable("torch._tensor", "_rebuild_from_type_v2").severity);
}

TEST(Rules, EverythingElseIsSuspicious) {
  const auto rating = rate_callable("mymodule", "Model");
  EXPECT_EQ(rating.severity, Severity::suspicious);
  EXPECT_EQ(rating.reason, "not on the allow-list");
  EXPECT_EQ(rate_callable("__main__", "Net").severity, Severity::suspicious);
  EXPECT_EQ(rate_callable("functools", "partial").severity, Severity::suspicious);
}

TEST(Rules, NestedLoaders) {
  EXPECT_TRUE(is_nested_loader("pickle.loads"));
  EXPECT_TRUE(is_nested_loader("cPickle.loads"));
  EXPECT_TRUE(is_nested_loader("torch.storage._load_from_bytes"));
  EXPECT_FALSE(is_nested_loader("os.system"));
}

} // namespace
} // namespace mlv::scan
