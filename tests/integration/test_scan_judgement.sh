#!/usr/bin/env bash
# What the scanner cannot clear is refused: `mlv scan` exits 8 for unsafe and 10 for suspicious
# files; checkout, pull and get refuse both (exit 8, or 10 when nothing refused is unsafe), naming
# the finding, unless --allow-suspicious (suspicious only), --allow-unsafe or safety.policy warn.
# Every payload is written opcode by opcode with Python and never loaded.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/files"
cd "$TEST_ROOT/files"

python3 - <<'EOF'
import gzip, pickle, zipfile

def glob(module, name):  # GLOBAL
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"

def text(s):  # SHORT_BINUNICODE
    return b"\x8c" + bytes([len(s)]) + s.encode()

files = {
    # attrgetter imported into an allowed module, and the os module as an allowed module's
    # attribute: attrgetter("system")(sklearn.ensemble._forest.os)("echo pwned").
    "reexported.pkl": b"\x80\x02" + glob("sklearn.metrics._scorer", "attrgetter") +
    b"(Vsystem\ntR(" + glob("sklearn.ensemble._forest", "os") + b"tR(Vecho pwned\ntR.",
    # scikit-learn's scorer helper getattr()s and calls: _cached_call(None, obj, "method").
    "cached_call.pkl": b"\x80\x02" + glob("sklearn.metrics._scorer", "_cached_call") +
    b"(N" + glob("collections", "OrderedDict") + b")RVclear\ntR.",
    # numpy's random state constructor, given a bit generator constructor made while loading.
    "generator_ctor.pkl": b"\x80\x02" + glob("numpy.random._pickle", "__generator_ctor") +
    b"(Vecho pwned\n" + glob("collections", "OrderedDict") + b")RtR.",
    # BUILD on a class: setattr(BaseEstimator, "__reduce_ex__", None).
    "build_class.pkl": b"\x80\x02" + glob("sklearn.base", "BaseEstimator") +
    b"(N}V__reduce_ex__\nNstb.",
    # A class of the pickle's own: outside both lists.
    "custom.pkl": b"\x80\x04" + text("__main__") + text("Model") + b"\x93)\x81}b.",
    # A name computed while loading (STACK_GLOBAL of strings that calls return).
    "computed.pkl": b"\x80\x04" + glob("collections", "OrderedDict") + b")R" +
    glob("collections", "OrderedDict") + b")R\x93)R.",
}
for name, data in files.items():
    open(name, "wb").write(data)
# Where the findings are: the BUILD of build_class.pkl, the NEWOBJ of custom.pkl.
open("build_class.pkl.offset", "w").write(str(len(files["build_class.pkl"]) - 2))
open("custom.pkl.offset", "w").write(str(files["custom.pkl"].index(b"\x81")))

# A benign pickle behind more compression layers than the scanner follows.
nested = pickle.dumps({"weights": [1.0, 2.0]}, protocol=2)
for _ in range(9):
    nested = gzip.compress(nested)
open("nested.gz", "wb").write(nested)

# A zip member of method 98 (PPMd), which 7-Zip writes and nothing here reads: its method is
# set in the local header and the central directory of a stored member.
with zipfile.ZipFile("ppmd.zip", "w") as z:
    z.writestr("data.pkl", pickle.dumps({"a": 1}, protocol=2))
archive = bytearray(open("ppmd.zip", "rb").read())
archive[8:10] = (98).to_bytes(2, "little")
central = archive.index(b"PK\x01\x02")
archive[central + 10:central + 12] = (98).to_bytes(2, "little")
open("ppmd.zip", "wb").write(archive)
EOF

# Unsafe: exit 8, each at the opcode that calls or changes the name.
for name in reexported cached_call generator_ctor build_class; do
  assert_exit 8 mlv scan --json "$name.pkl"
  assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" unsafe "verdict of $name.pkl"
done
assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["callable"]')" sklearn.base.BaseEstimator
assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["offset"]')" "$(cat build_class.pkl.offset)"
assert_exit 8 mlv scan --json reexported.pkl
assert_eq "$(json_get "$stdout" '[f["callable"] for f in d[0]["findings"] if f["severity"] == "unsafe"]')" \
  '["sklearn.metrics._scorer.attrgetter", "sklearn.ensemble._forest.os"]'

# Suspicious: exit 10, and the finding says what could not be cleared.
for name in custom.pkl computed.pkl nested.gz ppmd.zip; do
  assert_exit 10 mlv scan --json "$name"
  assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" suspicious "verdict of $name"
done
assert_exit 10 mlv scan custom.pkl
assert_line_with "$stdout" "__main__.Model" "not on the allow-list"
assert_contains "$stderr" "1 of 1 file(s) could not be cleared"
assert_exit 10 mlv scan --json computed.pkl
assert_contains "$(json_get "$stdout" 'd[0]["findings"][0]["reason"]')" "computed while loading"
assert_exit 10 mlv scan --json nested.gz
assert_contains "$(json_get "$stdout" 'd[0]["findings"][0]["reason"]')" "nested deeper than 8"
# The worst verdict decides: unsafe beside suspicious is 8.
assert_exit 8 mlv scan custom.pkl reexported.pkl
# Clean files still exit 0.
assert_ok mlv scan "$MLV_FIXTURES"

# checkout, pull and get refuse suspicious files (exit 10), writing everything else.
new_repo src
add_local_remote origin "$TEST_ROOT/store"
mkdir models
cp "$TEST_ROOT/files/custom.pkl" "$TEST_ROOT/files/ppmd.zip" models/
cp "$MLV_FIXTURES/rf_small.joblib" models/rf.joblib
assert_ok mlv add models/custom.pkl models/ppmd.zip models/rf.joblib
assert_contains "$stderr" "warning: the safety scan could not clear models/custom.pkl"
assert_yaml models/custom.pkl.mlv safety.verdict suspicious
commit_all "models"
assert_ok mlv push
rm models/custom.pkl models/ppmd.zip models/rf.joblib
assert_exit 10 mlv checkout
assert_contains "$stderr" "refusing to write 2 file(s) the safety scan could not clear"
assert_contains "$stderr" \
  "models/custom.pkl: __main__.Model (not on the allow-list) at offset $(cat "$TEST_ROOT/files/custom.pkl.offset")"
assert_contains "$stderr" \
  "models/ppmd.zip: could not read: zip member data.pkl uses compression method 98, which the scanner does not read"
assert_contains "$stderr" "--allow-suspicious"
assert_not_exists models/custom.pkl
assert_not_exists models/ppmd.zip
assert_file_eq models/rf.joblib "$MLV_FIXTURES/rf_small.joblib"

# --allow-suspicious lets them through with a warning; it does not let an unsafe file through.
assert_ok mlv checkout --allow-suspicious models/custom.pkl
assert_contains "$stderr" "warning: models/custom.pkl is suspicious: __main__.Model"
assert_contains "$stderr" "(--allow-suspicious)"
assert_file_eq models/custom.pkl "$TEST_ROOT/files/custom.pkl"
cp "$TEST_ROOT/files/reexported.pkl" models/evil.pkl
assert_ok mlv add models/evil.pkl
commit_all "evil"
assert_ok mlv push
rm models/evil.pkl models/custom.pkl
assert_exit 8 mlv checkout --allow-suspicious
assert_contains "$stderr" "models/evil.pkl: sklearn.metrics._scorer.attrgetter (dynamic attribute access)"
assert_not_exists models/evil.pkl
assert_exists models/custom.pkl
rm models/custom.pkl
# Both kinds refused together: exit 8, and both are named.
assert_exit 8 mlv checkout
assert_contains "$stderr" "models/evil.pkl: sklearn.metrics._scorer.attrgetter"
assert_contains "$stderr" "models/custom.pkl: __main__.Model"
# --allow-unsafe lets both through; so does safety.policy warn.
assert_ok mlv checkout --allow-unsafe models/custom.pkl
assert_exists models/custom.pkl
rm models/custom.pkl
MLV_SAFETY_POLICY=warn assert_ok mlv checkout models/custom.pkl models/ppmd.zip
assert_contains "$stderr" "safety.policy is warn"
assert_exists models/ppmd.zip
git rm -q --cached models/evil.pkl.mlv && rm models/evil.pkl.mlv && commit_all "no evil"

# pull in a fresh clone and get: refused with exit 10 until allowed.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 10 mlv pull
assert_not_exists models/custom.pkl
assert_file_eq models/rf.joblib "$MLV_FIXTURES/rf_small.joblib"
assert_ok mlv pull --allow-suspicious
assert_file_eq models/custom.pkl "$TEST_ROOT/files/custom.pkl"
mkdir -p "$TEST_ROOT/out"
assert_exit 10 mlv get models/custom.pkl -o "$TEST_ROOT/out/custom.pkl"
assert_contains "$stderr" "__main__.Model"
assert_not_exists "$TEST_ROOT/out/custom.pkl"
assert_ok mlv get models/custom.pkl -o "$TEST_ROOT/out/custom.pkl" --allow-suspicious
assert_file_eq "$TEST_ROOT/out/custom.pkl" "$TEST_ROOT/files/custom.pkl"

pass
