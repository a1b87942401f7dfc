#!/usr/bin/env bash
# What compressed packs save on a local-folder remote (growth of remote/packs, du -sb):
#   (a) a joblib random forest grown from 100 to 120 trees (sklearn, warm_start): the bytes
#       version 2 adds, as a share of its size: <= 8%.
#   (b) a 1 GiB float32 tensor file of trained-like weights, normal(0, 0.02): stored in <= 92% of
#       its size (byte grouping + zstd); also the push time, beside the time of the same push
#       with `remote.NAME.compression none`.
#   (c) a folder of real model files (sklearn joblib, xgboost JSON, torch.save, ONNX): total remote
#       bytes, beside casync's store for the same folder (`casync make --chunk-size=65536`),
#       when casync is installable: <= 1.0x casync.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

TENSOR_SIZE=${BENCH_SIZE:-$GIB}
PY=/usr/bin/python3 # Debian's python3, which has numpy, sklearn, xgboost and torch

repo_with_remote() { # DIR [COMPRESSION]
  new_repo "$1"
  mlv -q remote add origin "$1-remote" --default
  [[ -z "${2:-}" ]] || mlv -q config remote.origin.compression "$2"
  git commit -q -a -m "Model storage"
}

push_version() { # FILE MESSAGE: prints push's JSON summary
  mlv -q add "$1"
  git commit -q -m "$2"
  mlv push --json
}

section "(a) random forest grown from 100 to 120 trees"
repo_with_remote "$WORK/forest"
mkdir -p models
forest() { # TREES PATH: the forest with the first 100 trees of every version the same
  "$PY" - "$1" "$2" <<'PY'
import sys, joblib, numpy as np
from sklearn.ensemble import RandomForestClassifier
rng = np.random.default_rng(0)
X = rng.normal(size=(20000, 20)); y = (X[:, :3].sum(axis=1) + rng.normal(size=20000) > 0).astype(int)
model = RandomForestClassifier(n_estimators=100, random_state=0, warm_start=True, n_jobs=1).fit(X, y)
if int(sys.argv[1]) > 100:
    model.set_params(n_estimators=int(sys.argv[1])).fit(X, y)
joblib.dump(model, sys.argv[2])
PY
}
forest 100 models/forest.joblib
info "version 1: $(push_version models/forest.joblib "100 trees")"
packs_before=$(bytes_in "$WORK/forest-remote/packs")
forest 120 models/forest.joblib.new
mv models/forest.joblib.new models/forest.joblib
json=$(push_version models/forest.joblib "120 trees")
size=$(stat -c %s models/forest.joblib)
added=$(($(bytes_in "$WORK/forest-remote/packs") - packs_before))
info "version 2: $size bytes; remote/packs grew by $added bytes; $json"
check "forest 100 -> 120 trees: added / v2 size" \
  "$(awk -v a="$added" -v s="$size" 'BEGIN { printf "%.3f", 100 * a / s }')" 8 % \
  "uncompressed packs added 20.6% before"

section "(b) $((TENSOR_SIZE / MIB)) MiB float32 tensor file, normal(0, 0.02)"
mkdir -p "$WORK/tensor"
"$PY" - "$WORK/tensor.f32" "$TENSOR_SIZE" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(3)
left = int(sys.argv[2]) // 4
with open(sys.argv[1], "wb") as out:
    while left:
        n = min(left, 8 << 20)
        rng.normal(0, 0.02, n).astype(np.float32).tofile(out)
        left -= n
PY
for mode in compressed none; do
  repo_with_remote "$WORK/tensor-$mode" "$([[ $mode == none ]] && echo none)"
  cp "$WORK/tensor.f32" tensor.f32
  mlv -q add tensor.f32
  git commit -q -m tensor
  warm tensor.f32
  seconds=$(seconds_of mlv push)
  stored=$(bytes_in "$WORK/tensor-$mode-remote/packs")
  info "compression $mode: push took $seconds s; remote/packs holds $stored bytes"
  eval "seconds_$mode=$seconds stored_$mode=$stored"
done
check "float32 tensor stored / its size" \
  "$(awk -v a="$stored_compressed" -v s="$TENSOR_SIZE" 'BEGIN { printf "%.3f", 100 * a / s }')" 92 % \
  "raw packs: $(awk -v a="$stored_none" -v s="$TENSOR_SIZE" 'BEGIN { printf "%.3f", 100 * a / s }')%"
info "push time, compressed / none: $(ratio "$seconds_compressed" "$seconds_none")" \
  "($seconds_compressed s / $seconds_none s)"
rm -f "$WORK/tensor.f32"

section "(c) a folder of real model files, mlv remote vs casync store"
folder=$WORK/real-models
mkdir -p "$folder"
"$PY" - "$folder" <<'PY'
import sys, os, joblib, numpy as np, torch, xgboost
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
d = sys.argv[1]
rng = np.random.default_rng(5)
X = rng.normal(size=(5000, 20)); y = (X[:, 0] - X[:, 1] > 0).astype(int)
joblib.dump(RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y), f"{d}/forest.joblib")
joblib.dump(LogisticRegression().fit(X, y), f"{d}/logistic.joblib")
booster = xgboost.train({"max_depth": 6}, xgboost.DMatrix(X, label=y), num_boost_round=100)
booster.save_model(f"{d}/booster.json")
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(512, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 2048),
                          torch.nn.ReLU(), torch.nn.Linear(2048, 10))
for p in net.parameters():
    torch.nn.init.normal_(p, 0, 0.02)
torch.save(net.state_dict(), f"{d}/net.pt")
torch.onnx.export(net, torch.zeros(1, 512), f"{d}/net.onnx")
torch.save(net.half().state_dict(), f"{d}/net-fp16.pt")
PY
folder_size=$(bytes_in "$folder")
repo_with_remote "$WORK/real"
cp -r "$folder" models
mlv -q add models
git commit -q -m models
run_quietly mlv push
mlv_bytes=$(bytes_in "$WORK/real-remote")
info "folder: $folder_size bytes; mlv remote: $mlv_bytes bytes"
if need_packages casync 2>/dev/null && command -v casync >/dev/null; then
  run_quietly casync make --chunk-size=65536 --store="$WORK/casync.castr" "$WORK/casync.caidx" \
    "$folder"
  casync_bytes=$(bytes_in "$WORK/casync.castr" "$WORK/casync.caidx")
  info "casync store + index: $casync_bytes bytes"
  check "real models: mlv remote / casync store" "$(ratio "$mlv_bytes" "$casync_bytes")" 1.0 x \
    "casync make --chunk-size=65536"
else
  info "casync is not installable here: no comparison"
fi

finish
