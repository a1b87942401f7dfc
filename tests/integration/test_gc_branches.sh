#!/usr/bin/env bash
# `mlv gc` never loses a model that another local branch, a tag or the stash names: by default it
# keeps them all; `gc --workspace` narrows to the work tree, and then names each model it would
# delete that the default remote lacks (with its branches) and refuses without --force. The
# remote itself is asked, so a remote deleted since the push does not count as holding it.
source "$(dirname "$0")/lib.sh"

in_cache() { [[ -f ".mlv/cache/files/${1:0:2}/$1" ]]; }
assert_in_cache() { in_cache "$1" || fail "$2 ($1) was removed from the cache"$'\n'"$(last_output)"; }
assert_not_in_cache() { ! in_cache "$1" || fail "$2 ($1) is still in the cache"$'\n'"$(last_output)"; }

new_repo repo
add_local_remote origin
git add .mlv/config && git commit -q -m "remote"
make_random_file m.bin 200000
assert_ok mlv add m.bin
commit_all "main v1"
main_id=$(pointer_id m.bin.mlv)
assert_ok mlv push

# An experiment committed on another branch, never pushed: the cache holds its only copy.
git checkout -q -b experiment
make_random_file m.bin 210000
make_random_file ckpt/a.bin 30000
make_random_file ckpt/b.bin 40000
assert_ok mlv add m.bin ckpt
commit_all "experiment"
exp_id=$(pointer_id m.bin.mlv)
exp_a_id=$(sha256_of ckpt/a.bin)
cp m.bin "$TEST_ROOT/experiment.bin"
git checkout -q main
assert_ok mlv checkout

# Default gc keeps what every local branch names (the reported loss: it deleted them).
assert_ok mlv gc -f --json
assert_in_cache "$exp_id" "the unpushed model of branch experiment after gc -f"
assert_in_cache "$exp_a_id" "a file of the unpushed folder of branch experiment after gc -f"
assert_in_cache "$main_id" "the workspace model"
assert_eq "$(json_get "$stdout" 'd["unpushed"]')" "[]" "unpushed models listed by a default gc"

# --workspace narrows; it names the branch and the paths and refuses without --force.
assert_exit 9 mlv gc --workspace
assert_contains "$stderr" "branch experiment"
assert_line_with "$stderr" "m.bin" "branch experiment"
assert_line_with "$stderr" "ckpt" "branch experiment"
assert_contains "$stderr" "mlv push --rev experiment"
assert_in_cache "$exp_id" "the unpushed model after a refused gc -w"
# A yes on the prompt is not enough: the refusal comes first.
run bash -c "printf 'y\n' | '$MLV' gc -w"
assert_eq "$status" "9" "gc -w answered y"
assert_in_cache "$exp_id" "the unpushed model after gc -w answered y"
# --dry-run lists the same warning and removes nothing.
assert_ok mlv gc -w --dry-run --json
assert_contains "$stderr" "branch experiment"
assert_eq "$(json_get "$stdout" '[m["path"] for m in d["unpushed"]]')" '["ckpt", "m.bin"]' \
  "unpushed models in the dry-run plan"
assert_eq "$(json_get "$stdout" 'd["unpushed"][1]["refs"]')" '["branch experiment"]'
assert_in_cache "$exp_id" "the unpushed model after gc -w --dry-run"
# -w with -a keeps branches again, as DVC's gc -w -a does.
assert_ok mlv gc -w -a -f
assert_in_cache "$exp_id" "the unpushed model after gc -w -a"

# Once pushed, gc -w deletes it without a word, and the branch still pulls byte for byte.
assert_ok mlv push --rev experiment
assert_ok mlv gc -w -f --json
assert_eq "$(json_get "$stdout" 'd["unpushed"]')" "[]" "unpushed models after the push"
assert_not_contains "$stderr" "warning"
assert_not_in_cache "$exp_id" "the pushed model of branch experiment after gc -w -f"
git checkout -q experiment
assert_ok mlv pull
assert_file_eq m.bin "$TEST_ROOT/experiment.bin"
git checkout -q main
assert_ok mlv checkout

# A model only a tag names, and one only the stash names, are kept by default too.
git checkout -q -b release
make_random_file m.bin 220000
assert_ok mlv add m.bin
commit_all "release"
tag_id=$(pointer_id m.bin.mlv)
git tag v2
git checkout -q main
git branch -q -D release
make_random_file m.bin 230000
assert_ok mlv add m.bin
stash_id=$(pointer_id m.bin.mlv)
git stash -q
assert_ok mlv checkout --force
assert_eq "$(pointer_id m.bin.mlv)" "$main_id" "workspace back at main's model after the stash"
assert_ok mlv gc -f
assert_in_cache "$tag_id" "the model only tag v2 names"
assert_in_cache "$stash_id" "the model only the stash names"
assert_exit 9 mlv gc -w
assert_line_with "$stderr" "m.bin (tag v2)"
assert_line_with "$stderr" "m.bin (stash@{0})"
assert_contains "$stderr" "mlv push --rev stash@{0} --rev v2"
# The push the hint suggests saves them.
assert_ok mlv push --rev 'stash@{0}' --rev v2
assert_ok mlv gc -w --dry-run --json
assert_eq "$(json_get "$stdout" 'd["unpushed"]')" "[]" "unpushed models after the suggested push"

# The remote is asked, not mlv's record of it: after the remote folder is lost, a model pushed
# before counts as unpushed again.
git checkout -q experiment
assert_ok mlv checkout
git checkout -q main
assert_ok mlv checkout
rm -rf "$REMOTE_DIR"
mkdir -p "$REMOTE_DIR"
assert_exit 9 mlv gc -w
assert_line_with "$stderr" "m.bin" "branch experiment"
assert_in_cache "$exp_id" "the model whose remote copy is gone"

# --force deletes them, naming what it deleted.
assert_ok mlv gc -w -f
assert_contains "$stderr" "warning"
assert_contains "$stderr" "stash@{0}"
assert_not_in_cache "$stash_id" "the stashed model after gc -w -f"
assert_in_cache "$main_id" "the workspace model after gc -w -f"

pass
