#!/usr/bin/env bash
# Chunks stored compressed on remotes: float32 weights, a joblib random forest and text go up
# smaller than they are (manifest version 2 names zstd and byte-grouped chunks), come back byte
# for byte through a folder remote and S3, and `remote.NAME.compression none` stores them raw.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY

new_repo origin-repo
mkdir -p models
/usr/bin/python3 - <<'PY' || fail "could not write the model files"
import numpy as np, joblib
from sklearn.ensemble import RandomForestClassifier
rng = np.random.default_rng(1)
rng.normal(0, 0.02, 1_000_000).astype(np.float32).tofile("models/weights.f32")
X = rng.normal(size=(2000, 10)); y = (X[:, 0] + X[:, 1] > 0).astype(int)
joblib.dump(RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y), "models/forest.joblib")
open("models/notes.txt", "w").write("learning rate 0.001, batch 64\n" * 20000)
PY
make_random_file models/random.bin 300000
mkdir -p "$TEST_ROOT/v1" && cp models/* "$TEST_ROOT/v1/"
assert_ok mlv add models/weights.f32 models/forest.joblib models/notes.txt models/random.bin
add_local_remote origin
commit_all "models"

# Bad values are refused, naming the key.
assert_exit 4 mlv config remote.origin.compression 25
assert_contains "$output" "remote.origin.compression"
assert_exit 4 mlv config remote.origin.compression fast

assert_ok mlv push --json
sent=$(json_get "$stdout" 'd["bytes_sent"]')
total=$(cat models/* | wc -c)
random_size=$(stat -c %s models/random.bin)
weights_size=$(stat -c %s models/weights.f32)
# The random file cannot shrink; everything else does, the weights by at least 8%.
(( sent < total - random_size / 4 )) || fail "push sent $sent bytes of $total: not compressed"
weights_id=$(pointer_id models/weights.f32.mlv)
random_id=$(pointer_id models/random.bin.mlv)
weights_manifest=$(manifest_text "$REMOTE_DIR/manifests/${weights_id:0:2}/$weights_id")
assert_eq "$(head -1 <<<"$weights_manifest")" "mlv-manifest 2" "the weights' manifest version"
assert_contains "$weights_manifest" " zstd-bg4"
stored=$(awk 'NR > 5 { s += (NF == 6 ? $5 : $2) } END { print s }' <<<"$weights_manifest")
(( stored * 100 <= weights_size * 92 )) || fail "weights stored in $stored of $weights_size bytes"
# Incompressible data stays raw: its manifest is version 1, as an older mlv wrote it.
assert_eq "$(manifest_text "$REMOTE_DIR/manifests/${random_id:0:2}/$random_id" | head -1)" "mlv-manifest 1"

# A clone pulls every byte back from the folder remote; the cache holds whole, plain files.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull
for name in weights.f32 forest.joblib notes.txt random.bin; do
  assert_file_eq "models/$name" "$TEST_ROOT/v1/$name"
done
assert_ok mlv verify

# The same through S3, and through a folder remote that stores chunks raw.
cd "$TEST_ROOT/origin-repo"
add_s3_remote s3 s3://models/team
assert_ok mlv push -r s3
add_local_remote plain
assert_ok mlv config remote.plain.compression none
assert_ok mlv push -r plain --json
plain_sent=$(json_get "$stdout" 'd["bytes_sent"]')
(( plain_sent >= total )) || fail "compression none sent $plain_sent bytes of $total"
assert_eq "$(head -1 "$REMOTE_DIR/manifests/${weights_id:0:2}/$weights_id")" "mlv-manifest 1"
commit_all "remotes"
for remote in s3 plain; do
  rm -rf "$TEST_ROOT/clone-$remote"
  git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone-$remote"
  cd "$TEST_ROOT/clone-$remote"
  assert_ok mlv pull -r "$remote"
  for name in weights.f32 forest.joblib notes.txt random.bin; do
    assert_file_eq "models/$name" "$TEST_ROOT/v1/$name"
  done
  cd "$TEST_ROOT/origin-repo"
done

pass
