// The allow-list: exact names ("module.qualname", never a prefix) that ordinary models are made
// of, each with why calling it with whatever arguments a hostile pickle chooses is harmless
// (docs/safety.md). A name is allowed only when it is here exactly; scikit-learn's classes,
// torch.nn's modules and pandas' classes are in allow_list_sklearn.cpp, allow_list_torch_nn.cpp
// and allow_list_pandas.cpp. Callables that
// call or look up one of their arguments are allowed only under the argument rules at the end.

#include "lists.hpp"

#include <array>

namespace mlv::scan::detail {

namespace {

constexpr std::string_view k_value_type =
    "a built-in value type: builds a value from plain data; at most it iterates, hashes or "
    "converts its argument, which only runs methods of other allowed classes";
constexpr std::string_view k_constant = "a constant: naming it calls nothing";
constexpr std::string_view k_reconstructor =
    "calls __new__ (and __init__) of the class it is given, which must be a name the pickle "
    "imports and is rated on its own (argument rule below)";
constexpr std::string_view k_codecs_encode =
    "how protocols 0-2 spell bytes: encodes text with a codec named by a constant string "
    "(argument rule below); codecs only transform data";
constexpr std::string_view k_stdlib_value =
    "a value class of the standard library: parses or stores its arguments";
constexpr std::string_view k_numpy_array =
    "numpy's array reconstructor: allocates an array of the given subclass (a name rated on its "
    "own) and shape; the data comes from BUILD";
constexpr std::string_view k_numpy_value =
    "a numpy array, dtype or scalar type: builds a value from a shape, a type string or bytes";
constexpr std::string_view k_numpy_random =
    "numpy's random state: __randomstate_ctor/__generator_ctor call their bit generator "
    "constructor argument, which must be numpy's own __bit_generator_ctor (argument rule); that "
    "one looks the name up in numpy's fixed table of bit generators";
constexpr std::string_view k_numpy_bit_generator =
    "a numpy bit generator or generator class: seeds itself, state set by BUILD";
constexpr std::string_view k_joblib_wrapper =
    "joblib's array wrapper: stores shape, dtype and order; joblib reads the array data that "
    "follows it (scanned as such)";
constexpr std::string_view k_torch_rebuild =
    "in torch's weights_only allow-list: rebuilds a tensor from a storage, sizes and flags";
constexpr std::string_view k_torch_rebuild_subclass =
    "in torch's weights_only allow-list: calls the rebuild function and tensor subclass it is "
    "given, which must be names the pickle imports, rated on their own (argument rule)";
constexpr std::string_view k_torch_type =
    "in torch's weights_only allow-list: a torch type, dtype, layout or memory format";
constexpr std::string_view k_torch_storage =
    "in torch's weights_only allow-list: a storage class, filled by the persistent id's data";
constexpr std::string_view k_torch_load_from_bytes =
    "torch.load of the bytes it is given: those bytes are scanned as a file of their own, and "
    "bytes the scanner cannot know are unsafe";
constexpr std::string_view k_sparse =
    "a scipy sparse matrix or array class: created by __new__, its arrays set by BUILD";
constexpr std::string_view k_model_class =
    "a model class: created by __new__, its fields set by BUILD (__setstate__ only assigns them)";

constexpr auto k_allow = std::to_array<AllowRule>({
    // Python's own value types and the reconstructors pickle itself writes.
    {"builtins.set", k_value_type},
    {"builtins.frozenset", k_value_type},
    {"builtins.list", k_value_type},
    {"builtins.dict", k_value_type},
    {"builtins.tuple", k_value_type},
    {"builtins.slice", k_value_type},
    {"builtins.complex", k_value_type},
    {"builtins.bytearray", k_value_type},
    {"builtins.bytes", k_value_type},
    {"builtins.str", k_value_type},
    {"builtins.int", k_value_type},
    {"builtins.float", k_value_type},
    {"builtins.bool", k_value_type},
    {"builtins.range", k_value_type},
    {"builtins.object", k_value_type},
    {"builtins.Ellipsis", k_constant},
    {"builtins.NotImplemented", k_constant},
    {"copyreg._reconstructor", k_reconstructor},
    {"copyreg.__newobj__", k_reconstructor},
    {"copyreg.__newobj_ex__", k_reconstructor},
    {"_codecs.encode", k_codecs_encode},
    {"collections.OrderedDict", k_stdlib_value},
    {"collections.defaultdict", k_stdlib_value}, // its factory runs only on a missing key, later
    {"collections.Counter", k_stdlib_value},
    {"collections.deque", k_stdlib_value},
    {"datetime.datetime", k_stdlib_value},
    {"datetime.date", k_stdlib_value},
    {"datetime.time", k_stdlib_value},
    {"datetime.timedelta", k_stdlib_value},
    {"datetime.timezone", k_stdlib_value},
    {"decimal.Decimal", k_stdlib_value},
    {"fractions.Fraction", k_stdlib_value},
    {"uuid.UUID", k_stdlib_value},
    // numpy arrays, dtypes, scalars and random generators.
    {"numpy.core.multiarray._reconstruct", k_numpy_array},
    {"numpy._core.multiarray._reconstruct", k_numpy_array},
    {"numpy.ma.core._mareconstruct", k_numpy_array},
    {"numpy.core.multiarray.scalar", k_numpy_value},
    {"numpy._core.multiarray.scalar", k_numpy_value},
    {"numpy.core.numeric._frombuffer", k_numpy_value},
    {"numpy._core.numeric._frombuffer", k_numpy_value},
    {"numpy.ndarray", k_numpy_value},
    {"numpy.dtype", k_numpy_value},
    {"numpy.ma.core.MaskedArray", k_numpy_value},
    {"numpy.bool_", k_numpy_value},
    {"numpy.int8", k_numpy_value},
    {"numpy.int16", k_numpy_value},
    {"numpy.int32", k_numpy_value},
    {"numpy.int64", k_numpy_value},
    {"numpy.uint8", k_numpy_value},
    {"numpy.uint16", k_numpy_value},
    {"numpy.uint32", k_numpy_value},
    {"numpy.uint64", k_numpy_value},
    {"numpy.float16", k_numpy_value},
    {"numpy.float32", k_numpy_value},
    {"numpy.float64", k_numpy_value},
    {"numpy.complex64", k_numpy_value},
    {"numpy.complex128", k_numpy_value},
    {"numpy.str_", k_numpy_value},
    {"numpy.bytes_", k_numpy_value},
    {"numpy.void", k_numpy_value},
    {"numpy.datetime64", k_numpy_value},
    {"numpy.timedelta64", k_numpy_value},
    {"numpy.dtypes.BoolDType", k_numpy_value},
    {"numpy.dtypes.Int8DType", k_numpy_value},
    {"numpy.dtypes.UInt8DType", k_numpy_value},
    {"numpy.dtypes.Int16DType", k_numpy_value},
    {"numpy.dtypes.UInt16DType", k_numpy_value},
    {"numpy.dtypes.Int32DType", k_numpy_value},
    {"numpy.dtypes.UInt32DType", k_numpy_value},
    {"numpy.dtypes.Int64DType", k_numpy_value},
    {"numpy.dtypes.UInt64DType", k_numpy_value},
    {"numpy.dtypes.LongLongDType", k_numpy_value},
    {"numpy.dtypes.ULongLongDType", k_numpy_value},
    {"numpy.dtypes.ByteDType", k_numpy_value},
    {"numpy.dtypes.UByteDType", k_numpy_value},
    {"numpy.dtypes.ShortDType", k_numpy_value},
    {"numpy.dtypes.UShortDType", k_numpy_value},
    {"numpy.dtypes.IntDType", k_numpy_value},
    {"numpy.dtypes.UIntDType", k_numpy_value},
    {"numpy.dtypes.LongDType", k_numpy_value},
    {"numpy.dtypes.ULongDType", k_numpy_value},
    {"numpy.dtypes.Float16DType", k_numpy_value},
    {"numpy.dtypes.Float32DType", k_numpy_value},
    {"numpy.dtypes.Float64DType", k_numpy_value},
    {"numpy.dtypes.LongDoubleDType", k_numpy_value},
    {"numpy.dtypes.Complex64DType", k_numpy_value},
    {"numpy.dtypes.Complex128DType", k_numpy_value},
    {"numpy.dtypes.CLongDoubleDType", k_numpy_value},
    {"numpy.dtypes.ObjectDType", k_numpy_value},
    {"numpy.dtypes.BytesDType", k_numpy_value},
    {"numpy.dtypes.StrDType", k_numpy_value},
    {"numpy.dtypes.VoidDType", k_numpy_value},
    {"numpy.dtypes.DateTime64DType", k_numpy_value},
    {"numpy.dtypes.TimeDelta64DType", k_numpy_value},
    {"numpy.dtypes.StringDType", k_numpy_value},
    {"numpy.random._pickle.__randomstate_ctor", k_numpy_random},
    {"numpy.random._pickle.__generator_ctor", k_numpy_random},
    {"numpy.random._pickle.__bit_generator_ctor", k_numpy_random},
    {"numpy.random.__RandomState_ctor", k_numpy_random}, // numpy < 1.17: RandomState() only
    {"numpy.random._mt19937.MT19937", k_numpy_bit_generator},
    {"numpy.random._pcg64.PCG64", k_numpy_bit_generator},
    {"numpy.random._pcg64.PCG64DXSM", k_numpy_bit_generator},
    {"numpy.random._philox.Philox", k_numpy_bit_generator},
    {"numpy.random._sfc64.SFC64", k_numpy_bit_generator},
    {"numpy.random._generator.Generator", k_numpy_bit_generator},
    {"numpy.random.mtrand.RandomState", k_numpy_bit_generator},
    // joblib's array wrappers (also as scikit-learn once vendored them).
    {"joblib.numpy_pickle.NumpyArrayWrapper", k_joblib_wrapper},
    {"joblib.numpy_pickle.NDArrayWrapper", k_joblib_wrapper},
    {"joblib.numpy_pickle_compat.NDArrayWrapper", k_joblib_wrapper},
    {"joblib.numpy_pickle_compat.ZNDArrayWrapper", k_joblib_wrapper},
    {"sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper", k_joblib_wrapper},
    {"sklearn.externals.joblib.numpy_pickle.NDArrayWrapper", k_joblib_wrapper},
    // PyTorch: torch._weights_only_unpickler's allow-list (dtypes, storages, rebuild functions),
    // and the rebuild functions older torch versions wrote.
    {"torch._utils._rebuild_tensor", k_torch_rebuild},
    {"torch._utils._rebuild_tensor_v2", k_torch_rebuild},
    {"torch._utils._rebuild_tensor_v3", k_torch_rebuild},
    {"torch._utils._rebuild_parameter", k_torch_rebuild},
    {"torch._utils._rebuild_parameter_with_state", k_torch_rebuild},
    {"torch._utils._rebuild_qtensor", k_torch_rebuild},
    {"torch._utils._rebuild_sparse_tensor", k_torch_rebuild},
    {"torch._utils._rebuild_sparse_csr_tensor", k_torch_rebuild},
    {"torch._utils._rebuild_meta_tensor_no_storage", k_torch_rebuild},
    {"torch._utils._rebuild_device_tensor_from_numpy", k_torch_rebuild},
    {"torch._utils._rebuild_device_tensor_from_cpu_tensor", k_torch_rebuild},
    {"torch._utils._rebuild_xla_tensor", k_torch_rebuild},
    {"torch._utils._rebuild_mlc_tensor", k_torch_rebuild},
    {"torch._utils._rebuild_wrapper_subclass", k_torch_rebuild_subclass},
    {"torch._tensor._rebuild_from_type_v2", k_torch_rebuild_subclass},
    {"torch.storage._load_from_bytes", k_torch_load_from_bytes},
    {"torch.serialization._get_layout", k_torch_type},
    {"torch.Size", k_torch_type},
    {"torch.device", k_torch_type},
    {"torch.Tensor", k_torch_type},
    {"torch.nn.parameter.Parameter", k_torch_type},
    {"torch.nn.parameter.UninitializedParameter", k_torch_type},
    {"torch.nn.parameter.UninitializedBuffer", k_torch_type},
    {"torch.storage.TypedStorage", k_torch_storage},
    {"torch.storage.UntypedStorage", k_torch_storage},
    {"torch.UntypedStorage", k_torch_storage},
    {"torch.FloatStorage", k_torch_storage},
    {"torch.DoubleStorage", k_torch_storage},
    {"torch.HalfStorage", k_torch_storage},
    {"torch.BFloat16Storage", k_torch_storage},
    {"torch.LongStorage", k_torch_storage},
    {"torch.IntStorage", k_torch_storage},
    {"torch.ShortStorage", k_torch_storage},
    {"torch.CharStorage", k_torch_storage},
    {"torch.ByteStorage", k_torch_storage},
    {"torch.BoolStorage", k_torch_storage},
    {"torch.ComplexFloatStorage", k_torch_storage},
    {"torch.ComplexDoubleStorage", k_torch_storage},
    {"torch.QInt8Storage", k_torch_storage},
    {"torch.QUInt8Storage", k_torch_storage},
    {"torch.QInt32Storage", k_torch_storage},
    {"torch.QUInt4x2Storage", k_torch_storage},
    {"torch.QUInt2x4Storage", k_torch_storage},
    {"torch.cuda.FloatStorage", k_torch_storage},
    {"torch.cuda.DoubleStorage", k_torch_storage},
    {"torch.cuda.HalfStorage", k_torch_storage},
    {"torch.cuda.BFloat16Storage", k_torch_storage},
    {"torch.cuda.LongStorage", k_torch_storage},
    {"torch.cuda.IntStorage", k_torch_storage},
    {"torch.cuda.ShortStorage", k_torch_storage},
    {"torch.cuda.CharStorage", k_torch_storage},
    {"torch.cuda.ByteStorage", k_torch_storage},
    {"torch.cuda.BoolStorage", k_torch_storage},
    {"torch.cuda.ComplexFloatStorage", k_torch_storage},
    {"torch.cuda.ComplexDoubleStorage", k_torch_storage},
    {"torch.float32", k_torch_type},
    {"torch.float", k_torch_type},
    {"torch.float64", k_torch_type},
    {"torch.double", k_torch_type},
    {"torch.float16", k_torch_type},
    {"torch.half", k_torch_type},
    {"torch.bfloat16", k_torch_type},
    {"torch.complex32", k_torch_type},
    {"torch.complex64", k_torch_type},
    {"torch.complex128", k_torch_type},
    {"torch.cfloat", k_torch_type},
    {"torch.cdouble", k_torch_type},
    {"torch.uint8", k_torch_type},
    {"torch.uint16", k_torch_type},
    {"torch.uint32", k_torch_type},
    {"torch.uint64", k_torch_type},
    {"torch.int8", k_torch_type},
    {"torch.int16", k_torch_type},
    {"torch.short", k_torch_type},
    {"torch.int32", k_torch_type},
    {"torch.int", k_torch_type},
    {"torch.int64", k_torch_type},
    {"torch.long", k_torch_type},
    {"torch.bool", k_torch_type},
    {"torch.qint8", k_torch_type},
    {"torch.quint8", k_torch_type},
    {"torch.qint32", k_torch_type},
    {"torch.quint4x2", k_torch_type},
    {"torch.quint2x4", k_torch_type},
    {"torch.float8_e4m3fn", k_torch_type},
    {"torch.float8_e5m2", k_torch_type},
    {"torch.float8_e4m3fnuz", k_torch_type},
    {"torch.float8_e5m2fnuz", k_torch_type},
    {"torch.strided", k_torch_type},
    {"torch.sparse_coo", k_torch_type},
    {"torch.sparse_csr", k_torch_type},
    {"torch.sparse_csc", k_torch_type},
    {"torch.sparse_bsr", k_torch_type},
    {"torch.sparse_bsc", k_torch_type},
    {"torch.contiguous_format", k_torch_type},
    {"torch.channels_last", k_torch_type},
    {"torch.channels_last_3d", k_torch_type},
    {"torch.preserve_format", k_torch_type},
    {"torch.per_tensor_affine", k_torch_type},
    {"torch.per_tensor_symmetric", k_torch_type},
    {"torch.per_channel_affine", k_torch_type},
    {"torch.per_channel_symmetric", k_torch_type},
    {"torch.per_channel_affine_float_qparams", k_torch_type},
    // scipy's sparse matrices (and the module names scipy < 1.8 pickled them under).
    {"scipy.sparse._csr.csr_matrix", k_sparse},
    {"scipy.sparse._csc.csc_matrix", k_sparse},
    {"scipy.sparse._coo.coo_matrix", k_sparse},
    {"scipy.sparse._bsr.bsr_matrix", k_sparse},
    {"scipy.sparse._dia.dia_matrix", k_sparse},
    {"scipy.sparse._dok.dok_matrix", k_sparse},
    {"scipy.sparse._lil.lil_matrix", k_sparse},
    {"scipy.sparse._arrays.csr_array", k_sparse},
    {"scipy.sparse._arrays.csc_array", k_sparse},
    {"scipy.sparse._arrays.coo_array", k_sparse},
    {"scipy.sparse._arrays.bsr_array", k_sparse},
    {"scipy.sparse._arrays.dia_array", k_sparse},
    {"scipy.sparse._arrays.dok_array", k_sparse},
    {"scipy.sparse._arrays.lil_array", k_sparse},
    {"scipy.sparse._csr.csr_array", k_sparse},
    {"scipy.sparse._csc.csc_array", k_sparse},
    {"scipy.sparse._coo.coo_array", k_sparse},
    {"scipy.sparse._bsr.bsr_array", k_sparse},
    {"scipy.sparse._dia.dia_array", k_sparse},
    {"scipy.sparse._dok.dok_array", k_sparse},
    {"scipy.sparse._lil.lil_array", k_sparse},
    {"scipy.sparse.csr.csr_matrix", k_sparse},
    {"scipy.sparse.csc.csc_matrix", k_sparse},
    {"scipy.sparse.coo.coo_matrix", k_sparse},
    {"scipy.sparse.bsr.bsr_matrix", k_sparse},
    {"scipy.sparse.dia.dia_matrix", k_sparse},
    {"scipy.sparse.dok.dok_matrix", k_sparse},
    {"scipy.sparse.lil.lil_matrix", k_sparse},
    // Other model libraries' model classes.
    {"xgboost.core.Booster", k_model_class},
    {"xgboost.sklearn.XGBModel", k_model_class},
    {"xgboost.sklearn.XGBClassifier", k_model_class},
    {"xgboost.sklearn.XGBRegressor", k_model_class},
    {"xgboost.sklearn.XGBRanker", k_model_class},
    {"xgboost.sklearn.XGBRFClassifier", k_model_class},
    {"xgboost.sklearn.XGBRFRegressor", k_model_class},
    {"lightgbm.basic.Booster", k_model_class},
    {"lightgbm.sklearn.LGBMModel", k_model_class},
    {"lightgbm.sklearn.LGBMClassifier", k_model_class},
    {"lightgbm.sklearn.LGBMRegressor", k_model_class},
    {"lightgbm.sklearn.LGBMRanker", k_model_class},
});

constexpr std::string_view k_calls_class = "calls the class it is given (or its __new__)";

// Allowed callables that call or look up an argument: what that argument must be.
constexpr auto k_argument_rules = std::to_array<ArgumentRule>({
    {"copyreg._reconstructor", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"copyreg._reconstructor", 1, ArgumentMust::be_a_global, {}, "calls base.__init__"},
    {"copyreg.__newobj__", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"copyreg.__newobj_ex__", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"numpy.core.multiarray._reconstruct", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"numpy._core.multiarray._reconstruct", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"numpy.ma.core._mareconstruct", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"numpy.ma.core._mareconstruct", 1, ArgumentMust::be_a_global, {}, k_calls_class},
    {"numpy.random._pickle.__randomstate_ctor", 1, ArgumentMust::be_absent_or_one,
     "numpy.random._pickle.__bit_generator_ctor", "calls its bit_generator_ctor argument"},
    {"numpy.random._pickle.__generator_ctor", 1, ArgumentMust::be_absent_or_one,
     "numpy.random._pickle.__bit_generator_ctor", "calls its bit_generator_ctor argument"},
    {"numpy.random._pickle.__bit_generator_ctor",
     0,
     ArgumentMust::be_text_or_global,
     {},
     "looks its argument up in numpy's table of bit generators, or calls it if it is a class"},
    {"torch._tensor._rebuild_from_type_v2",
     0,
     ArgumentMust::be_a_global,
     {},
     "calls its func argument"},
    {"torch._tensor._rebuild_from_type_v2",
     1,
     ArgumentMust::be_a_global,
     {},
     "makes the tensor an instance of its new_type argument and calls its __setstate__"},
    {"torch._utils._rebuild_wrapper_subclass", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"_codecs.encode", 1, ArgumentMust::be_text, {}, "looks up the codec its encoding names"},
    {"sklearn.metrics._dist_metrics.newObj", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"sklearn.neighbors._ball_tree.newObj", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"sklearn.neighbors._kd_tree.newObj", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"pandas.core.indexes.base._new_Index", 0, ArgumentMust::be_a_global, {}, k_calls_class},
    {"pandas.core.indexes.datetimes._new_DatetimeIndex",
     0,
     ArgumentMust::be_a_global,
     {},
     k_calls_class},
    {"pandas.core.indexes.interval._new_IntervalIndex",
     0,
     ArgumentMust::be_a_global,
     {},
     k_calls_class},
    {"pandas.core.indexes.period._new_PeriodIndex",
     0,
     ArgumentMust::be_a_global,
     {},
     k_calls_class},
});

} // namespace

std::span<const AllowRule> allow_list() {
  return k_allow;
}

std::span<const ArgumentRule> argument_rules() {
  return k_argument_rules;
}

} // namespace mlv::scan::detail
