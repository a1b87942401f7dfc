#!/usr/bin/env bash
# `mlv remove`: the pointer goes (from disk and index), its .gitignore entry goes, other entries
# and the data file stay.
source "$(dirname "$0")/lib.sh"

new_repo repo
mkdir -p models
echo "*.tmp" >models/.gitignore
make_random_file models/a.bin 20000
make_random_file models/b.bin 30000
cp models/a.bin "$TEST_ROOT/a.orig"
assert_ok mlv add models/a.bin models/b.bin
commit_all "models"

# A committed pointer: removed from disk, its deletion staged.
assert_ok mlv remove models/a.bin
assert_not_exists models/a.bin.mlv
assert_file_eq models/a.bin "$TEST_ROOT/a.orig"
[[ -z "$(git ls-files models/a.bin.mlv)" ]] || fail "models/a.bin.mlv is still in the index"
assert_line_with "$(git diff --cached --name-status)" "D" "models/a.bin.mlv"
ignore=$(cat models/.gitignore)
if grep -qxF "/a.bin" models/.gitignore; then fail "models/.gitignore still lists /a.bin:"$'\n'"$ignore"; fi
grep -qxF "/b.bin" models/.gitignore || fail "models/.gitignore lost /b.bin:"$'\n'"$ignore"
grep -qxF "*.tmp" models/.gitignore || fail "models/.gitignore lost the user's *.tmp line:"$'\n'"$ignore"
if git check-ignore -q models/a.bin; then fail "models/a.bin is still ignored by git"; fi
assert_contains "$(git status --porcelain)" "?? models/a.bin"
# mlv no longer tracks it.
assert_ok mlv status --json
assert_eq "$(json_get "$stdout" '[e["path"] for e in d]')" '["models/b.bin"]' "tracked paths after remove"
git commit -q -m "untrack a"

# A pointer that was only staged, named by its pointer path: gone from disk and index.
make_random_file c.bin 1000
assert_ok mlv add c.bin
assert_ok mlv remove c.bin.mlv
assert_not_exists c.bin.mlv
assert_exists c.bin
[[ -z "$(git ls-files c.bin.mlv)" ]] || fail "c.bin.mlv is still in the index"
if [[ -f .gitignore ]] && grep -qxF "/c.bin" .gitignore; then fail ".gitignore still lists /c.bin"; fi

# A directory.
make_random_file ckpt/x.bin 1000
assert_ok mlv add ckpt
commit_all "ckpt"
assert_ok mlv remove ckpt
assert_not_exists ckpt.mlv
assert_exists ckpt/x.bin
if git check-ignore -q ckpt/x.bin; then fail "ckpt/x.bin is still ignored by git"; fi

# Removing something that is not tracked fails and names it.
run mlv remove models/nothing.bin
[[ "$status" != 0 ]] || fail "removing an untracked path succeeded"
assert_contains "$output" "nothing.bin"

pass
