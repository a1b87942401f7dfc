#!/usr/bin/env bash
# No benign model file is refused: real files written by scikit-learn (pipelines, forests with
# every joblib compressor), joblib, scipy sparse matrices, PyTorch (state_dicts with
# optimiser state, whole modules, the legacy format), numpy (every dtype, .npy and .npz),
# pandas, xgboost and Python's own pickle are generated here by the libraries themselves
# (/usr/bin/python3, with Debian's python3-sklearn, python3-torch, python3-scipy,
# python3-pandas and python3-xgboost) and must all scan clean, each read to its end. mlv never
# loads them.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/corpus"
cd "$TEST_ROOT/corpus"

/usr/bin/python3 - <<'EOF'
import collections, datetime, decimal, fractions, pickle, uuid, warnings
warnings.filterwarnings("ignore")
import numpy as np
import joblib, scipy.sparse as sp, torch, pandas as pd, xgboost as xgb
from sklearn.datasets import make_classification
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import StandardScaler, OneHotEncoder, MinMaxScaler
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.ensemble import (RandomForestClassifier, GradientBoostingClassifier,
                              HistGradientBoostingClassifier, IsolationForest)
from sklearn.svm import SVC
from sklearn.neighbors import KNeighborsClassifier
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.neural_network import MLPClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeRegressor

X, y = make_classification(n_samples=120, n_features=6, random_state=0)
rng = np.random.RandomState(3)
def save_pickle(name, obj, protocol=pickle.HIGHEST_PROTOCOL):
    with open(name, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)

# scikit-learn through joblib, with every compressor joblib offers here (lz4: python3-lz4).
forest = RandomForestClassifier(n_estimators=5, random_state=rng).fit(X, y)
joblib.dump(forest, "forest.joblib")
for method in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
    joblib.dump(forest, f"forest_{method}.joblib", compress=(method, 3))
pipeline = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(X, y)
for protocol in (0, 2, 4, 5):
    save_pickle(f"pipeline_p{protocol}.pkl", pipeline, protocol)
joblib.dump(pipeline, "pipeline.joblib")
models = {
    "gradient_boosting": GradientBoostingClassifier(n_estimators=5, random_state=0),
    "hist_gradient_boosting": HistGradientBoostingClassifier(max_iter=5),
    "svc": SVC(probability=True, random_state=0),
    "knn": KNeighborsClassifier(),
    "kmeans": KMeans(n_clusters=3, n_init=2, random_state=0),
    "pca": PCA(n_components=3),
    "mlp": MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=rng),
    "naive_bayes": GaussianNB(),
    "sgd": SGDClassifier(random_state=np.random.RandomState(1)),
    "isolation_forest": IsolationForest(n_estimators=5, random_state=0),
    "tree_regressor": DecisionTreeRegressor(max_depth=3),
    "ridge": Ridge(),
    "grid_search": GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2),
}
for name, model in models.items():
    model.fit(X, y)
    joblib.dump(model, f"{name}.joblib")
frame = pd.DataFrame({"n": [1.0, None, 3.0, 4.0], "c": ["a", "b", "a", "b"]})
columns = ColumnTransformer([("n", make_pipeline(SimpleImputer(), MinMaxScaler()), ["n"]),
                             ("c", OneHotEncoder(handle_unknown="ignore"), ["c"])])
joblib.dump(make_pipeline(columns, LogisticRegression()).fit(frame, [0, 1, 0, 1]),
            "column_transformer.joblib")
save_pickle("tfidf.pkl", TfidfVectorizer().fit(["a model", "another model file"]))

# scipy sparse matrices.
for fmt in ("csr", "csc", "coo", "lil", "dok", "bsr", "dia"):
    save_pickle(f"sparse_{fmt}.pkl", sp.random(20, 20, density=0.2, format=fmt, random_state=0))
sp.save_npz("sparse.npz", sp.random(20, 20, density=0.2, format="csr", random_state=0))

# PyTorch: state_dicts with optimiser state (zip and legacy formats), a whole module.
net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                          torch.nn.Linear(8, 2))
optimizer = torch.optim.Adam(net.parameters())
net(torch.randn(4, 6)).sum().backward()
optimizer.step()
checkpoint = {"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3}
torch.save(checkpoint, "checkpoint.pt")
torch.save(checkpoint, "checkpoint_legacy.pt", _use_new_zipfile_serialization=False)
torch.save(net, "module.pt")
torch.save({"sgd": torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9).state_dict(),
            "half": torch.zeros(3, dtype=torch.float16), "long": torch.arange(4),
            "param": torch.nn.Parameter(torch.ones(2))}, "tensors.pt")

# numpy: every dtype, .npy and .npz.
dtypes = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128", "U5", "S5",
          "datetime64[s]", "timedelta64[ms]", "V4"]
arrays = {d.replace("[", "_").replace("]", ""): np.zeros(3, dtype=d) for d in dtypes}
arrays["structured"] = np.zeros(3, dtype=[("a", "<f4"), ("b", "<i8", (2,))])
for name, array in arrays.items():
    np.save(f"array_{name}.npy", array)
np.savez("arrays.npz", **arrays)
np.savez_compressed("arrays_compressed.npz", **arrays)
save_pickle("arrays.pkl", arrays)
save_pickle("random_states.pkl", {"legacy": np.random.RandomState(0),
                                  "generator": np.random.default_rng(0)})

# pandas data frames.
df = pd.DataFrame({"i": [1, 2, 3], "f": [0.5, 1.5, 2.5], "s": ["x", "y", "z"],
                   "t": pd.date_range("2020-01-01", periods=3, tz="UTC"),
                   "d": pd.to_timedelta([1, 2, 3], unit="s"),
                   "c": pd.Categorical(["a", "b", "a"]), "n": pd.array([1, None, 3], dtype="Int64")})
df.to_pickle("frame.pkl")
pd.Series([1.0, 2.0], index=pd.Index(["a", "b"], name="k")).to_pickle("series.pkl")

# xgboost.
booster = xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(X, y)
joblib.dump(booster, "xgb_classifier.joblib")
booster.save_model("xgb_model.json")

# Python's own value types.
save_pickle("stdlib.pkl", {"od": collections.OrderedDict(a=1), "dd": collections.defaultdict(list),
                           "counter": collections.Counter("abca"), "deque": collections.deque([1]),
                           "when": datetime.datetime(2020, 1, 1), "delta": datetime.timedelta(1),
                           "dec": decimal.Decimal("1.5"), "frac": fractions.Fraction(1, 3),
                           "id": uuid.UUID(int=1), "set": {1, 2}, "bytes": b"\x00\x01",
                           "complex": 1j, "range": range(3), "slice": slice(1, 2)}, protocol=2)
EOF

files=$(find . -type f | wc -l)
((files >= 60)) || fail "expected at least 60 corpus files, made $files"

# Every file clean, every pickle read to its end (no notes), and exit 0.
assert_ok mlv scan --json .
report=$stdout
assert_eq "$(json_get "$report" '[(r["path"], r["verdict"], [f["callable"] + ": " + f["reason"] for f in r["findings"]]) for r in d if r["verdict"] != "clean"]')" \
  "[]" "files not clean"
assert_eq "$(json_get "$report" '[(r["path"], r["notes"]) for r in d if r["notes"]]')" "[]" "notes"
assert_eq "$(json_get "$report" 'len(d)')" "$files" "files scanned"

# ... and checkout writes every one of them.
new_repo repo
cp -r "$TEST_ROOT/corpus" models
assert_ok mlv add models
commit_all "corpus"
rm -r models
assert_ok mlv checkout
assert_eq "$(find models -type f | wc -l)" "$files" "files checked out"

pass
