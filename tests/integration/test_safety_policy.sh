#!/usr/bin/env bash
# The safety policy: `mlv add` records the scanner's verdict; checkout, pull and get scan what
# they are about to write again (never trusting the pointer's record) and refuse an unsafe file
# unless --allow-unsafe or safety.policy warn (local, user or environment only).
source "$(dirname "$0")/lib.sh"

# A pickle whose loading runs os.system (made with Python's pickle module, never loaded).
make_evil_pickle() { # PATH
  mkdir -p "$(dirname "$1")"
  python3 - "$1" <<'EOF'
import os, pickle, sys
class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))
with open(sys.argv[1], "wb") as f:
    f.write(pickle.dumps(Evil(), protocol=2))
EOF
}

new_repo src
add_local_remote origin "$TEST_ROOT/store"
make_evil_pickle models/evil.pkl
cp "$MLV_FIXTURES/rf_small.joblib" models/rf.joblib
cp models/evil.pkl "$TEST_ROOT/evil.orig"

# add records the verdict (and warns), without refusing to track the file.
assert_ok mlv add models/evil.pkl models/rf.joblib
assert_contains "$stderr" "warning: loading models/evil.pkl would run code"
assert_yaml models/evil.pkl.mlv safety.verdict unsafe
assert_yaml models/evil.pkl.mlv safety.scanner 2
assert_yaml models/evil.pkl.mlv safety.finding_count 1
assert_contains "$(cat models/evil.pkl.mlv)" "callable: posix.system"
assert_yaml models/rf.joblib.mlv safety.verdict clean
assert_ok mlv add --json models/rf.joblib
assert_eq "$(json_get "$stdout" 'd[0]["safety"]')" clean "add --json safety"
commit_all "models"
assert_ok mlv push

# checkout refuses the unsafe file (exit 8), naming it, the callable and the offset, and still
# writes the others.
rm models/evil.pkl models/rf.joblib
assert_exit 8 mlv checkout
assert_contains "$stderr" "models/evil.pkl: posix.system (process execution) at offset"
assert_contains "$stderr" "--allow-unsafe"
assert_not_exists models/evil.pkl
assert_file_eq models/rf.joblib "$MLV_FIXTURES/rf_small.joblib"

# A pointer whose record was edited to say clean is refused all the same.
python3 - models/evil.pkl.mlv <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = text[: text.index("safety:")] + "safety:\n  verdict: clean\n  scanner: 1\n"
open(path, "w").write(text)
EOF
assert_yaml models/evil.pkl.mlv safety.verdict clean
assert_exit 8 mlv checkout models/evil.pkl
assert_not_exists models/evil.pkl
git checkout -q -- models/evil.pkl.mlv
# A re-add of unchanged bytes keeps the description this machine made without reading the file
# again, but not an edited one: the verdict is made anew (here with the current rules' version).
cp "$TEST_ROOT/evil.orig" models/evil.pkl
python3 - models/evil.pkl.mlv <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
text = text[: text.index("safety:")] + "safety:\n  verdict: clean\n  scanner: 2\n"
open(path, "w").write(text)
EOF
assert_ok mlv add models/evil.pkl
assert_yaml models/evil.pkl.mlv safety.verdict unsafe
assert_contains "$stderr" "warning: loading models/evil.pkl would run code"
git checkout -q -- models/evil.pkl.mlv
rm models/evil.pkl

# --allow-unsafe lets it through with a warning.
assert_ok mlv checkout --allow-unsafe models/evil.pkl
assert_contains "$stderr" "warning: models/evil.pkl is unsafe"
assert_file_eq models/evil.pkl "$TEST_ROOT/evil.orig"
rm models/evil.pkl

# safety.policy: not from the committed config; warn from the local one or the environment.
assert_exit 4 mlv config safety.policy warn
assert_contains "$stderr" "--local"
assert_ok mlv config --local safety.policy warn
assert_ok mlv checkout models/evil.pkl
assert_contains "$stderr" "safety.policy is warn"
assert_file_eq models/evil.pkl "$TEST_ROOT/evil.orig"
assert_ok mlv config --local --unset safety.policy
rm models/evil.pkl
MLV_SAFETY_POLICY=warn assert_ok mlv checkout models/evil.pkl
assert_exists models/evil.pkl
rm models/evil.pkl
MLV_SAFETY_POLICY=maybe assert_exit 4 mlv checkout models/evil.pkl
assert_contains "$stderr" "safety.policy"
assert_not_exists models/evil.pkl

# pull in a fresh clone: the safe file arrives, the unsafe one is refused until allowed.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 8 mlv pull
assert_contains "$stderr" "models/evil.pkl: posix.system"
assert_not_exists models/evil.pkl
assert_file_eq models/rf.joblib "$MLV_FIXTURES/rf_small.joblib"
assert_ok mlv pull --allow-unsafe
assert_file_eq models/evil.pkl "$TEST_ROOT/evil.orig"

# get writes nothing for a refused file, from this repository or another one.
mkdir -p "$TEST_ROOT/out"
assert_exit 8 mlv get models/evil.pkl -o "$TEST_ROOT/out/evil.pkl"
assert_contains "$stderr" "posix.system"
assert_not_exists "$TEST_ROOT/out/evil.pkl"
cd "$TEST_ROOT/out"
assert_exit 8 mlv get "$TEST_ROOT/src" models/evil.pkl -o evil.pkl
assert_eq "$(ls -A)" "" "files in the output folder after a refused get"
assert_ok mlv get "$TEST_ROOT/src" models/rf.joblib -o rf.joblib
assert_file_eq rf.joblib "$MLV_FIXTURES/rf_small.joblib"
assert_ok mlv get "$TEST_ROOT/src" models/evil.pkl -o evil.pkl --allow-unsafe
assert_contains "$stderr" "warning: models/evil.pkl is unsafe"
assert_file_eq evil.pkl "$TEST_ROOT/evil.orig"

# A tracked folder holding an unsafe file: get refuses the whole folder and writes none of it.
cd "$TEST_ROOT/src"
mkdir -p bundle
cp "$MLV_FIXTURES/pipeline_p4.pkl" bundle/a.pkl
make_evil_pickle bundle/b.pkl
assert_ok mlv add bundle
assert_yaml bundle.mlv safety.verdict unsafe
assert_contains "$(cat bundle.mlv)" "file: b.pkl"
commit_all "bundle"
assert_exit 8 mlv get bundle -o "$TEST_ROOT/bundle-out"
assert_contains "$stderr" "bundle/b.pkl"
assert_not_exists "$TEST_ROOT/bundle-out/a.pkl"
# Checkout of the folder: the clean file is written, the unsafe one is not.
rm -r bundle
assert_exit 8 mlv checkout bundle
assert_contains "$stderr" "bundle/b.pkl"
assert_contains "$stderr" "mlv scan PATH.mlv"
assert_file_eq bundle/a.pkl "$MLV_FIXTURES/pipeline_p4.pkl"
assert_not_exists bundle/b.pkl

pass
