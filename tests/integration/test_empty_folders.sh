#!/usr/bin/env bash
# Empty folders inside a tracked folder (a SavedModel's `assets/`) are recorded by add, restored
# by pull and checkout, and not reported by status once they exist; an empty folder a listing
# does not name is ignored, and one that a checkout empties goes. A folder without empty folders
# keeps its version 1 dir listing.
source "$(dirname "$0")/lib.sh"

new_repo repo
add_local_remote
make_random_file saved/saved_model.pb 20000
make_random_file saved/variables/variables.data-00000-of-00001 30000
mkdir -p saved/assets saved/extra/deep
make_random_file plain/a.bin 1000
assert_ok mlv add saved plain
commit_all "savedmodel"
assert_ok mlv push
id=$(pointer_id saved.mlv)
assert_eq "$(head -1 "$REMOTE_DIR/dirs/${id:0:2}/$id")" "mlv-dir 2" "listing version with empty folders"
plain_id=$(pointer_id plain.mlv)
assert_eq "$(head -1 "$REMOTE_DIR/dirs/${plain_id:0:2}/$plain_id")" "mlv-dir 1" "listing version without"

git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull
[[ -d saved/assets ]] || fail "pull did not restore the empty folder saved/assets"
[[ -d saved/extra/deep ]] || fail "pull did not restore saved/extra/deep"
assert_ok mlv status
assert_not_contains "$stdout" "missing"
assert_not_contains "$stdout" "modified"

# checkout restores a removed empty folder; status sees it gone first.
rmdir saved/assets
assert_ok mlv status saved
assert_contains "$stdout" "modified"
assert_ok mlv checkout saved
[[ -d saved/assets ]] || fail "checkout did not restore saved/assets"
assert_ok mlv status saved
assert_contains "$stdout" "up to date"
# An empty folder the listing does not name is ignored, as git ignores empty folders.
mkdir saved/stray
assert_ok mlv status saved
assert_contains "$stdout" "up to date"
assert_ok mlv checkout saved
[[ -d saved/stray ]] || fail "checkout removed an empty folder it does not track"
rmdir saved/stray

# A checkout of another version that removes every file of a folder removes the folder too, as
# git does (and says the folder was updated): the workspace is that version exactly, so adding it
# again gives the same listing. A kept empty folder, or one the user made, stays.
make_random_file saved/new/deeper/x.bin 1000
make_random_file saved/variables/extra/y.bin 1000
assert_ok mlv add saved
commit_all "saved v2"
v2_id=$(pointer_id saved.mlv)
git checkout -q HEAD~1
mkdir saved/mine
assert_ok mlv checkout saved
assert_contains "$stdout" "1 updated"
assert_not_exists saved/new
assert_not_exists saved/variables/extra
[[ -d saved/assets && -d saved/extra/deep && -d saved/mine ]] ||
  fail "checkout removed a folder it keeps or one it did not empty: $(find saved -type d)"
rmdir saved/mine
assert_ok mlv add saved
assert_contains "$stdout" "unchanged saved"
assert_eq "$(git status --porcelain saved.mlv)" "" "saved.mlv after re-adding the checked-out v1"
git checkout -q -f main
assert_ok mlv checkout saved
assert_ok mlv add saved
assert_yaml saved.mlv sha256 "$v2_id"

pass
