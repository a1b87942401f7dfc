#!/usr/bin/env bash
# `mlv diff` (two revisions, a revision and the work tree, HEAD and the work tree) and `mlv log`
# (one model's versions along the first-parent line, with registry tags) in real git history.
source "$(dirname "$0")/lib.sh"

new_repo repo
mkdir -p models
make_random_file models/clf.bin 300000
make_random_file models/old.bin 100000
assert_ok mlv add models/clf.bin --metric accuracy=0.91 --metric loss=0.300 --param lr=0.01
assert_ok mlv add models/old.bin
commit_all "v1"
v1_clf=$(pointer_id models/clf.bin.mlv)

# Nothing changed yet.
assert_ok mlv diff
assert_contains "$stdout" "No model changed between HEAD and workspace"
assert_ok mlv diff --json
assert_eq "$(json_get "$stdout" 'len(d["changes"])')" 0

# Work-tree changes: one model retrained, one added, one removed.
make_random_file models/clf.bin 320000
assert_ok mlv add models/clf.bin --metric accuracy=0.93 --metric loss=0.25 --param lr=0.001
make_random_file models/new.bin 50000
assert_ok mlv add models/new.bin
assert_ok mlv remove models/old.bin
v2_clf=$(pointer_id models/clf.bin.mlv)

assert_ok mlv diff
assert_contains "$stdout" "HEAD -> workspace"
assert_line_with "$stdout" "models/clf.bin" "modified" "293.0 KiB -> 312.5 KiB (+19.5 KiB)" \
  "${v1_clf:0:12} -> ${v2_clf:0:12}"
assert_line_with "$stdout" "accuracy" "0.91 -> 0.93" "(+0.02)"
assert_line_with "$stdout" "loss" "0.300 -> 0.25" "(-0.050)"
assert_line_with "$stdout" "param lr" "0.01 -> 0.001" "(-0.009)"
assert_line_with "$stdout" "models/new.bin" "added" "48.8 KiB"
assert_line_with "$stdout" "models/old.bin" "removed" "97.7 KiB"

assert_ok mlv diff --json
json=$stdout
assert_eq "$(json_get "$json" 'd["old"]["commit"]')" "$(git rev-parse HEAD)"
assert_eq "$(json_get "$json" 'd["new"]["label"]')" workspace
assert_eq "$(json_get "$json" '[c["change"] for c in d["changes"]]')" '["modified", "added", "removed"]'
assert_eq "$(json_get "$json" 'd["changes"][0]["size_delta"]')" 20000
assert_eq "$(json_get "$json" 'd["changes"][0]["old"]["sha256"]')" "$v1_clf"
assert_eq "$(json_get "$json" 'd["changes"][0]["new"]["sha256"]')" "$v2_clf"
assert_eq "$(json_get "$json" 'd["changes"][0]["metrics"]["accuracy"]')" '{"old": 0.91, "new": 0.93, "delta": 0.02}'
assert_eq "$(json_get "$json" 'd["changes"][0]["params"]["lr"]["delta"]')" -0.009
assert_eq "$(json_get "$json" 'd["changes"][2]["new"]')" null
commit_all "v2"

# Two revisions (pointers read from git), and one revision against the work tree.
assert_ok mlv diff HEAD~1 HEAD --json
assert_eq "$(json_get "$stdout" '[c["path"] for c in d["changes"]]')" '["models/clf.bin", "models/new.bin", "models/old.bin"]'
assert_ok mlv diff HEAD~1
assert_contains "$stdout" "HEAD~1 -> workspace"
assert_line_with "$stdout" "models/clf.bin" "modified"

# A metadata-only change: same bytes, new metric.
assert_ok mlv add models/clf.bin --metric accuracy=0.94
assert_ok mlv diff
assert_line_with "$stdout" "models/clf.bin" "metadata" "${v2_clf:0:12}"
assert_line_with "$stdout" "accuracy" "0.93 -> 0.94" "(+0.01)"
commit_all "better eval"
v3_commit=$(git rev-parse HEAD)

assert_exit 4 mlv diff no-such-rev
assert_contains "$stderr" "no-such-rev"
assert_exit 2 mlv diff HEAD HEAD~1 HEAD~2

# An unrelated commit, then a side branch that retrains twice, merged into main.
echo "notes" >README.md
commit_all "docs"
git checkout -q -b experiment
make_random_file models/clf.bin 330000
assert_ok mlv add models/clf.bin --metric accuracy=0.80
commit_all "experiment a"
make_random_file models/clf.bin 340000
assert_ok mlv add models/clf.bin --metric accuracy=0.96
commit_all "experiment b"
v4_clf=$(pointer_id models/clf.bin.mlv)
git checkout -q main
git merge -q --no-ff -m "Merge experiment" experiment
merge_commit=$(git rev-parse HEAD)

# log: one line per version on main's first-parent line, newest first, with the registry tags of
# each; the experiment's intermediate version is not on main's line.
assert_ok mlv model register clf 1.0.0 --path models/clf.bin --rev "$v3_commit"
assert_ok mlv model register clf 2.0.0 # HEAD, the merge: the last path is the default
assert_ok mlv model promote clf 2.0.0 production
assert_ok mlv log models/clf.bin
assert_line_with "$stdout" "${merge_commit:0:12}" "${v4_clf:0:12}" "accuracy=0.96" "clf@2.0.0" "clf#production#1"
assert_line_with "$stdout" "${v3_commit:0:12}" "${v2_clf:0:12}" "accuracy=0.94" "clf@1.0.0"
assert_line_with "$stdout" "${v1_clf:0:12}" "accuracy=0.91"
assert_not_contains "$stdout" "accuracy=0.80"

assert_ok mlv log models/clf.bin.mlv --json
json=$stdout
assert_eq "$(json_get "$json" 'len(d["versions"])')" 4
assert_eq "$(json_get "$json" '[v["metrics"]["accuracy"] for v in d["versions"]]')" '[0.96, 0.94, 0.93, 0.91]'
assert_eq "$(json_get "$json" 'd["versions"][0]["commit"]')" "$merge_commit"
assert_eq "$(json_get "$json" 'd["versions"][0]["summary"]')" "Merge experiment"
assert_eq "$(json_get "$json" 'd["versions"][0]["author"]')" "mlv test"
assert_eq "$(json_get "$json" '[t["tag"] for t in d["versions"][0]["tags"]]')" '["clf@2.0.0", "clf#production#1"]'
assert_eq "$(json_get "$json" '[t["tag"] for t in d["versions"][1]["tags"]]')" '["clf@1.0.0"]'
assert_eq "$(json_get "$json" 'd["versions"][3]["size"]')" 300000
[[ "$(json_get "$json" 'd["versions"][0]["date"]')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] ||
  fail "log date is not ISO-8601 UTC"

# A removed model keeps its history; the removal is a line of its own.
assert_ok mlv log models/old.bin --json
assert_eq "$(json_get "$stdout" '[v["removed"] for v in d["versions"]]')" '[true, false]'
assert_ok mlv log models/old.bin
assert_line_with "$stdout" "(removed)"

# The history of another branch, and a path that never had a pointer (6).
assert_ok mlv log models/clf.bin --rev experiment --json
assert_eq "$(json_get "$stdout" '[v["metrics"]["accuracy"] for v in d["versions"]]')" '[0.96, 0.8, 0.94, 0.93, 0.91]'
assert_exit 6 mlv log models/never.bin
assert_contains "$stderr" "models/never.bin"

# A folder tracked as one: diff names the files inside it that changed between two commits.
make_random_file data/a.bin 1000
make_random_file "data/sub dir/b.bin" 2000
make_random_file data/c.bin 3000
assert_ok mlv add data
commit_all "data v1"
data_v1=$(git rev-parse HEAD)
flip_byte data/a.bin 7
rm data/c.bin
make_random_file "data/sub dir/ü.bin" 500
assert_ok mlv add data
commit_all "data v2"
assert_ok mlv diff "$data_v1" HEAD
assert_line_with "$stdout" "data" "modified"
assert_contains "$stdout" "    modified: data/a.bin"
assert_contains "$stdout" "    deleted: data/c.bin"
assert_contains "$stdout" "    added: data/sub dir/ü.bin"
assert_not_contains "$stdout" "data/sub dir/b.bin"
assert_ok mlv diff "$data_v1" HEAD --json
assert_eq "$(json_get "$stdout" '" | ".join(f["path"] + " " + f["change"] for e in d["changes"] if e["path"] == "data" for f in e["files"])')" \
  "a.bin modified | c.bin deleted | sub dir/ü.bin added"

pass
