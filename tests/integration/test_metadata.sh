#!/usr/bin/env bash
# `mlv add --metrics-file/--params-file`, the metadata `add` records by itself (meta.added), an
# unchanged re-add that rewrites nothing, bad metadata files, and `mlv show`.
source "$(dirname "$0")/lib.sh"

new_repo repo
mkdir -p models
cp "$MLV_FIXTURES/rf_small.joblib" models/rf.joblib
git commit -q -m "mlv init"
head_commit=$(git rev-parse HEAD)
mlv_version=$(mlv --version | awk '{print $2}')

cat >metrics.json <<'JSON'
{
  "accuracy": 0.93,
  "eval": {"f1": 0.88, "support": 1200},
  "sklearn_version": "1.3",
  "per_class": [0.9, 0.96]
}
JSON
printf 'n_estimators: 8\nmax_depth: ~\ncriterion: gini\n' >params.yaml

# 2023-11-14T22:13:20Z, for a checkable record time.
SOURCE_DATE_EPOCH=1700000000 assert_ok mlv add models/rf.joblib --metrics-file metrics.json \
  --params-file params.yaml --metric extra=1
pointer=models/rf.joblib.mlv
assert_yaml "$pointer" meta.metrics.accuracy 0.93
assert_yaml "$pointer" meta.metrics.eval.f1 0.88
assert_yaml "$pointer" meta.metrics.eval.support 1200
assert_yaml "$pointer" meta.metrics.extra 1
assert_yaml "$pointer" meta.params.n_estimators 8
assert_yaml "$pointer" meta.params.criterion gini
assert_yaml "$pointer" meta.added.at 2023-11-14T22:13:20Z
assert_yaml "$pointer" meta.added.git_commit "$head_commit"
assert_yaml "$pointer" meta.added.mlv_version "$mlv_version"
# Numbers are written plain (numbers), the string that looks like one stays quoted.
grep -qx '    accuracy: 0.93' "$pointer" || fail "accuracy is not a plain number:"$'\n'"$(cat "$pointer")"
grep -qx '    sklearn_version: "1.3"' "$pointer" || fail "a string became a number:"$'\n'"$(cat "$pointer")"
git commit -q -m "rf v1"

# An unchanged add, later, with the same files: the pointer stays byte-identical (the time in it
# is when the pointer last changed), so git sees nothing.
cp "$pointer" "$TEST_ROOT/pointer.before"
SOURCE_DATE_EPOCH=1800000000 assert_ok mlv add models/rf.joblib --metrics-file metrics.json \
  --params-file params.yaml --metric extra=1
assert_contains "$stdout" "unchanged models/rf.joblib"
assert_file_eq "$pointer" "$TEST_ROOT/pointer.before"
assert_eq "$(git status --porcelain -- models)" "" "git status after an unchanged add"

# New metrics: the metrics file replaces meta.metrics as a whole; the record time and commit move.
sed -i 's/0.93/0.95/' metrics.json
SOURCE_DATE_EPOCH=1800000000 assert_ok mlv add models/rf.joblib --metrics-file metrics.json
assert_yaml "$pointer" meta.metrics.accuracy 0.95
if yaml_get "$pointer" meta.metrics.extra >/dev/null; then
  fail "a stale metric survived a new metrics file:"$'\n'"$(cat "$pointer")"
fi
assert_yaml "$pointer" meta.params.n_estimators 8
assert_yaml "$pointer" meta.added.at 2027-01-15T08:00:00Z
assert_yaml "$pointer" meta.added.git_commit "$(git rev-parse HEAD)"

# Bad metadata files: exit 4 naming the file and line (6 when missing); the pointer is untouched.
cp "$pointer" "$TEST_ROOT/pointer.before"
printf '{\n  "accuracy": 0.9,\n  "loss": 0.1\n}}\n' >broken.json
assert_exit 4 mlv add models/rf.joblib --metrics-file broken.json
assert_contains "$stderr" "broken.json:4:"
printf -- '- 0.9\n- 0.8\n' >list.yaml
assert_exit 4 mlv add models/rf.joblib --params-file list.yaml
assert_contains "$stderr" "list.yaml:1:"
assert_contains "$stderr" "expected a map"
printf 'lr: 0.1\nepochs: 3\nlr: 0.2\n' >dupe.yaml
assert_exit 4 mlv add models/rf.joblib --params-file dupe.yaml
assert_contains "$stderr" "dupe.yaml:3:"
assert_contains "$stderr" "'lr' repeats"
assert_exit 6 mlv add models/rf.joblib --metrics-file no-such.json
assert_contains "$stderr" "no-such.json"
assert_exit 4 mlv add models/rf.joblib --meta added=yesterday
assert_file_eq "$pointer" "$TEST_ROOT/pointer.before"
git commit -q -am "rf v2 metrics"

# mlv show: the pointer's facts, metrics and params, and other maps printed whatever they hold
# (summary and safety are written by the inspector and the scanner; simulated here).
# Whatever add recorded in them is replaced by known values first.
python3 - "$pointer" <<'PY'
import sys
path = sys.argv[1]
kept, skipping = [], False
for line in open(path).read().splitlines(keepends=True):
    top_level = line[:1] not in (" ", "-", "")
    if top_level:
        skipping = line.startswith(("summary:", "safety:"))
    if not skipping:
        kept.append(line)
text = "".join(kept)
text = text.replace("meta:\n", "summary:\n  classes: [RandomForestClassifier]\n  protocol: 4\nmeta:\n", 1)
text += "safety:\n  verdict: unsafe\n  findings:\n    - {opcode: GLOBAL, module: os, name: system, offset: 42}\n"
open(path, "w").write(text)
PY
assert_ok mlv show models/rf.joblib
assert_line_with "$stdout" "sha256" "$(pointer_id "$pointer")"
assert_line_with "$stdout" "format" "joblib"
assert_line_with "$stdout" "added" "2027-01-15T08:00:00Z" "mlv $mlv_version"
assert_line_with "$stdout" "safety" "unsafe"
assert_line_with "$stdout" "eval.f1" "0.88"
assert_line_with "$stdout" "n_estimators" "8"
assert_line_with "$stdout" "classes: [RandomForestClassifier]"
assert_line_with "$stdout" "- {opcode: GLOBAL, module: os, name: system, offset: 42}"

assert_ok mlv show models/rf.joblib.mlv --json
json=$stdout
assert_eq "$(json_get "$json" 'd["path"]')" models/rf.joblib
assert_eq "$(json_get "$json" 'type(d["metrics"]["accuracy"]).__name__')" float
assert_eq "$(json_get "$json" 'type(d["metrics"]["eval.support"]).__name__')" int
assert_eq "$(json_get "$json" 'd["metrics"]["sklearn_version"]')" "1.3"
assert_eq "$(json_get "$json" 'type(d["metrics"]["sklearn_version"]).__name__')" str
assert_eq "$(json_get "$json" 'd["metrics"]["per_class"]')" "[0.9, 0.96]"
assert_eq "$(json_get "$json" 'd["params"]["max_depth"]')" null
assert_eq "$(json_get "$json" 'd["meta"]["metrics"]["eval"]["f1"]')" 0.88
assert_eq "$(json_get "$json" 'd["added"]["at"]')" 2027-01-15T08:00:00Z
assert_eq "$(json_get "$json" 'd["summary"]["protocol"]')" 4
assert_eq "$(json_get "$json" 'd["safety"]["verdict"]')" unsafe
assert_eq "$(json_get "$json" 'd["safety"]["findings"][0]["offset"]')" 42
assert_eq "$(json_get "$json" 'd["source"]')" workspace

# From a revision, without a checkout: the first version's metrics.
assert_ok mlv show models/rf.joblib --rev HEAD~1 --json
assert_eq "$(json_get "$stdout" 'd["metrics"]["accuracy"]')" 0.93
assert_eq "$(json_get "$stdout" 'd["commit"]')" "$(git rev-parse HEAD~1)"

# Errors: an untracked path (4), a folder naming two models (4), a revision without it (6).
assert_exit 4 mlv show models/nothing.bin
assert_contains "$stderr" "models/nothing.bin"
make_random_file models/other.bin 1000
assert_ok mlv add models/other.bin
assert_exit 4 mlv show models
assert_contains "$stderr" "names 2 tracked models"
assert_exit 6 mlv show models/other.bin --rev HEAD
assert_exit 4 mlv show models/rf.joblib --rev no-such-rev

pass
