#!/usr/bin/env bash
# One object missing on the remote does not stop a fetch or pull half-way: with 8 files pushed, a
# 9th committed but never pushed, a folder whose listing was never pushed and a folder that lost
# one file's manifest from its bundle, `mlv pull` fetches and checks out everything available,
# names every incomplete pointer by path and exits 6; a re-run does the same. `mlv fetch --rev` too.
source "$(dirname "$0")/lib.sh"

new_repo repo
add_local_remote
for i in 1 2 3 4 5 6 7 8; do make_random_file "models/m$i.bin" $((40000 + i)); done
make_random_file ds/a.bin 30000
make_random_file ds/b.bin 31000
make_random_file saved/w.bin 32000
assert_ok mlv add models/m1.bin models/m2.bin models/m3.bin models/m4.bin models/m5.bin \
  models/m6.bin models/m7.bin models/m8.bin ds saved
commit_all "pushed"
assert_ok mlv push
# Never pushed: a 9th file, and a new version of a folder (its listing is not on the remote).
make_random_file models/m9.bin 50000
make_random_file saved/new.bin 33000
assert_ok mlv add models/m9.bin saved
commit_all "not pushed"
# The remote loses one file of a pushed folder: its manifest is gone from the folder's bundle.
b_id=$(sha256_of ds/b.bin)
ds_id=$(pointer_id ds.mlv)
bundle_drop "$REMOTE_DIR/bundles/${ds_id:0:2}/$ds_id" "$b_id"
cp -r models "$TEST_ROOT/models.orig"
cp ds/a.bin "$TEST_ROOT/ds_a.orig"

git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
for attempt in 1 2; do
  assert_exit 6 mlv pull
  for i in 1 2 3 4 5 6 7 8; do assert_file_eq "models/m$i.bin" "$TEST_ROOT/models.orig/m$i.bin"; done
  assert_not_exists models/m9.bin
  assert_line_with "$stderr" "models/m9.bin.mlv"
  assert_line_with "$stderr" "saved.mlv" "dir listing is missing"
  assert_line_with "$stderr" "ds.mlv" "file b.bin is missing"
  assert_contains "$stderr" "3 pointer(s)"
  assert_not_contains "$stderr" "m1.bin.mlv"
done
# The folder that lost a file was not checked out half.
assert_not_exists ds/a.bin
assert_ok mlv status models/m1.bin
assert_contains "$stdout" "up to date"

# fetch --rev in a fresh clone: every available object is fetched, the missing ones named.
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone2"
cd "$TEST_ROOT/clone2"
assert_exit 6 mlv fetch --rev HEAD
assert_line_with "$stderr" "models/m9.bin.mlv"
assert_line_with "$stderr" "ds.mlv" "b.bin"
assert_contains "$stdout" "9 file(s) transferred"
# What was fetched checks out without the remote.
assert_exit 6 mlv checkout
for i in 1 2 3 4 5 6 7 8; do assert_file_eq "models/m$i.bin" "$TEST_ROOT/models.orig/m$i.bin"; done

pass
