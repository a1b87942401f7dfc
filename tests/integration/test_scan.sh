#!/usr/bin/env bash
# `mlv scan PATH... [--json]`: verdicts, findings with callable and offset, exit codes (8 when a
# file is unsafe, else 10 when one is suspicious, else 0), folders and pointer files. Malicious
# files are made with Python's pickle module and never loaded.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/files"
cd "$TEST_ROOT/files"

# Payload pickles in protocols 0 to 5, a class outside the allow-list, and the offset of each
# payload's call (the REDUCE opcode), found with pickletools (which only disassembles).
python3 - <<'EOF'
import os, pickle, pickletools

class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))

class Model:  # pickles as __main__.Model: not on the allow-list
    def __init__(self):
        self.weights = [1.0, 2.0]

for protocol in range(6):
    data = pickle.dumps({"model": Evil()}, protocol=protocol)
    open(f"evil_p{protocol}.pkl", "wb").write(data)
    reduce_at = [pos for op, _, pos in pickletools.genops(data) if op.name == "REDUCE"][0]
    open(f"evil_p{protocol}.offset", "w").write(str(reduce_at))
open("custom.pkl", "wb").write(pickle.dumps(Model(), protocol=4))
EOF

# Each protocol: exit 8, the callable and the offset of its REDUCE.
for protocol in 0 1 2 3 4 5; do
  assert_exit 8 mlv scan --json "evil_p$protocol.pkl"
  assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" unsafe "verdict of protocol $protocol"
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["callable"]')" posix.system \
    "callable of protocol $protocol"
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["offset"]')" "$(cat "evil_p$protocol.offset")" \
    "offset of protocol $protocol"
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["reason"]')" "process execution"
done

# Human output names file, verdict, callable and offset; the error names the unsafe files.
assert_exit 8 mlv scan evil_p4.pkl custom.pkl
assert_line_with "$stdout" "evil_p4.pkl: unsafe"
assert_line_with "$stdout" "unsafe" "posix.system at offset $(cat evil_p4.offset)"
assert_line_with "$stdout" "custom.pkl: suspicious"
assert_line_with "$stdout" "__main__.Model" "not on the allow-list"
assert_contains "$stderr" "1 of 2 file(s) would run code when loaded"

# Suspicious alone exits 10: the scan could not clear the file.
assert_exit 10 mlv scan custom.pkl
assert_contains "$stderr" "could not be cleared"

# Every real model file is scanned without a finding, and exits 0.
assert_ok mlv scan --json "$MLV_FIXTURES"
assert_eq "$(json_get "$stdout" 'sorted({r["verdict"] for r in d})')" '["clean"]' "fixture verdicts"
assert_eq "$(json_get "$stdout" '[r["format"] for r in d if r["path"].endswith("zlib3.joblib")]')" \
  '["joblib"]' "format of the compressed joblib file"

# A stream that breaks after its payload: what ran before the break counts.
python3 - <<'EOF'
data = open("evil_p2.pkl", "rb").read()
open("broken.pkl", "wb").write(data[:-1] + b"\xff\xff not pickle any more")
EOF
assert_exit 8 mlv scan --json broken.pkl
assert_contains "$(json_get "$stdout" 'd[0]["findings"][1]["reason"]')" "breaks off at offset"

# Folders: every file below, but not .git, .mlv or pointer files.
mkdir -p tree/sub tree/.git tree/.mlv
cp evil_p2.pkl tree/sub/model.bin
cp evil_p2.pkl tree/.git/objects.pkl
cp evil_p2.pkl tree/.mlv/cached.pkl
cp "$MLV_FIXTURES/rf_small.joblib" tree/rf.joblib
echo "version: 1" >tree/rf.joblib.mlv
assert_exit 8 mlv scan --json tree
assert_eq "$(json_get "$stdout" '[r["path"] for r in d]')" '["tree/rf.joblib", "tree/sub/model.bin"]'

# Pointer files: the cached object, even when the workspace copy is gone.
new_repo repo
cp "$TEST_ROOT/files/evil_p2.pkl" evil.pkl
cp "$MLV_FIXTURES/pipeline_p0.pkl" good.pkl
assert_ok mlv add evil.pkl good.pkl
rm evil.pkl good.pkl
assert_exit 8 mlv scan --json evil.pkl.mlv good.pkl.mlv
assert_eq "$(json_get "$stdout" '[(r["path"], r["verdict"]) for r in d]')" \
  '[["evil.pkl", "unsafe"], ["good.pkl", "clean"]]'
# ... and, with the cache emptied, the workspace file beside the pointer.
chmod -R u+w .mlv/cache && rm -rf .mlv/cache
run mlv scan good.pkl.mlv
assert_eq "$status" 6 "scan of a pointer whose data is nowhere"
assert_contains "$stderr" "good.pkl.mlv"
cp "$MLV_FIXTURES/pipeline_p0.pkl" good.pkl
assert_ok mlv scan good.pkl.mlv

# Paths that do not exist.
assert_exit 6 mlv scan "$TEST_ROOT/nothing.pkl"
assert_contains "$stderr" "nothing.pkl"

pass
