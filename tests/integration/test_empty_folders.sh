#!/usr/bin/env bash
# Empty folders inside a tracked folder (a SavedModel's `assets/`) are recorded by add, restored
# by pull and checkout, and not reported by status once they exist; an empty folder a listing
# does not name is ignored. A folder without empty folders keeps its version 1 dir listing.
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

pass
