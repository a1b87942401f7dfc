#!/usr/bin/env bash
# Benign files written by the real libraries stay clean now that containers are read the way
# their loaders read them (tarfile, numpy's .npy header, torch's zip reader, joblib's arrays):
# joblib with every compressor available, scikit-learn forests, torch state_dicts in both the
# zip and the legacy tar format, numpy arrays of every dtype (structured and aligned included),
# .npz, scipy sparse matrices, pandas frames and xgboost models. Written with /usr/bin/python3,
# never loaded by mlv.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/corpus"
cd "$TEST_ROOT/corpus"

/usr/bin/python3 - <<'PY'
import io, tarfile
import numpy as np, joblib, torch
from sklearn.ensemble import RandomForestClassifier, GradientBoostingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 4)); y = (X[:, 0] > 0).astype(int)
forest = RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0).fit(X, y)
boosted = GradientBoostingRegressor(n_estimators=5).fit(X, X[:, 1])
pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)

dtypes = ["?", "i1", "u1", "<i2", ">i4", "<i8", "<u8", "<f2", "<f4", ">f8", "<c8", "<c16",
          "<U7", "S5", "V3", "<M8[ns]", "<m8[s]"]
arrays = {d.replace("<", "le").replace(">", "be").replace("[", "_").replace("]", ""):
          np.zeros(5, dtype=d) for d in dtypes}
arrays["structured"] = np.zeros(3, dtype=[("a", "<f4"), ("b", "<i8", (2,)), ("c", "S3")])
arrays["aligned"] = np.zeros(3, dtype=np.dtype([("a", "u1"), ("b", "<f8")], align=True))
arrays["nested"] = np.zeros(2, dtype=[("p", [("x", "<f4"), ("y", "<f4")]), ("q", "<i2")])
arrays["subarray"] = np.zeros(2, dtype=("<f4", (3, 2)))
arrays["fortran"] = np.asfortranarray(np.arange(12.0).reshape(3, 4))
for name, array in arrays.items():
    np.save(f"{name}.npy", array)
np.savez("arrays.npz", **arrays)
np.savez_compressed("arrays_compressed.npz", **arrays)

model = {"forest": forest, "boosted": boosted, "pipeline": pipeline, "arrays": arrays}
joblib.dump(model, "model.joblib")
for compressor in ["zlib", "gzip", "bz2", "xz", "lzma"]:
    joblib.dump(model, f"model_{compressor}.joblib", compress=(compressor, 3))
joblib.dump(forest, "forest_p2.joblib", protocol=2)
joblib.dump(arrays, "arrays_p5.joblib", protocol=5)

import pandas as pd, scipy.sparse as sparse, xgboost
joblib.dump(sparse.random(20, 20, density=0.1, format="csr", random_state=0), "csr.joblib")
joblib.dump({"frame": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})}, "frame.joblib", compress=3)
joblib.dump(xgboost.XGBClassifier(n_estimators=2).fit(X, y), "xgb.joblib")

net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
optimiser = torch.optim.Adam(net.parameters())
net(torch.zeros(1, 4)).sum().backward(); optimiser.step()
state = {"model": net.state_dict(), "optimiser": optimiser.state_dict()}
torch.save(state, "state.pt")
torch.save(state, "state_legacy.pt", _use_new_zipfile_serialization=False)
torch.save({"half": torch.zeros(3, dtype=torch.float16), "int": torch.arange(4),
            "bool": torch.ones(2, dtype=torch.bool)}, "tensors.pt")

# The oldest torch format, a tar, written the way torch < 0.4 wrote it.
import pickle
def add(tar, name, content):
    info = tarfile.TarInfo(name); info.size = len(content)
    tar.addfile(info, io.BytesIO(content))
for fmt, name in [(tarfile.USTAR_FORMAT, "old_ustar.tar"), (tarfile.GNU_FORMAT, "old_gnu.tar"),
                  (tarfile.PAX_FORMAT, "old_pax.tar")]:
    with tarfile.open(name, "w", format=fmt) as tar:
        add(tar, "sys_info", pickle.dumps({"little_endian": True}, protocol=2))
        add(tar, "pickle", pickle.dumps({"weights": [1.0, 2.0]}, protocol=2))
        add(tar, "storages", pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2))
        add(tar, "tensors", pickle.dumps(0, protocol=2))
        if fmt != tarfile.USTAR_FORMAT:
            add(tar, "a/long/" + "x" * 120, b"not a pickle")
PY

files=(*)
assert_ok mlv scan --json "${files[@]}" "$MLV_FIXTURES"
for path in $(json_get "$stdout" '" ".join(r["path"] for r in d if r["verdict"] != "clean")'); do
  fail "$path is not clean: $(json_get "$stdout" "[r for r in d if r['path'] == '$path']")"
done
assert_eq "$(json_get "$stdout" 'sorted({r["verdict"] for r in d})')" '["clean"]' "verdicts"
assert_eq "$(json_get "$stdout" '[r["notes"] for r in d if r["notes"]]')" "[]" "notes"
assert_eq "$(json_get "$stdout" 'len(d) >= 50')" true "files scanned"

pass
