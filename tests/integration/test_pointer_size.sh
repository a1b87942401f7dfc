#!/usr/bin/env bash
# A pointer's `size` is checked wherever its id is: a wrong size is "modified" in status, a
# failure of verify (exit 5), and refused by checkout, fetch and pull (exit 4, naming the pointer
# and the field). Two pointers naming one path are refused by checkout (exit 4, naming both).
source "$(dirname "$0")/lib.sh"

new_repo repo
add_local_remote
make_random_file a.bin 200000
make_random_file d/f.bin 1000
assert_ok mlv add a.bin d
commit_all "v1"
assert_ok mlv push

# --- size ---
sed -i 's/^size: .*/size: 5/' a.bin.mlv
assert_ok mlv status a.bin
assert_contains "$stdout" "modified"
assert_exit 5 mlv verify a.bin
assert_contains "$output" "size"
rm a.bin
assert_exit 4 mlv checkout a.bin
assert_line_with "$stderr" "a.bin.mlv" "'size' is 5"
assert_not_exists a.bin
commit_all "bad size"
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 4 mlv pull a.bin
assert_line_with "$stderr" "a.bin.mlv" "'size' is 5"
assert_not_exists a.bin
assert_exit 4 mlv fetch a.bin
# A folder's size too.
sed -i 's/^size: .*/size: 7/' d.mlv
assert_exit 4 mlv pull d
assert_line_with "$stderr" "d.mlv" "'size' is 7"
cd "$TEST_ROOT/repo"
git checkout -q HEAD~1 -- a.bin.mlv
assert_ok mlv checkout a.bin

# --- two pointers, one path ---
cp a.bin.mlv b.mlv
assert_exit 4 mlv checkout
assert_line_with "$stderr" "a.bin" "a.bin.mlv" "b.mlv"
assert_contains "$stderr" "git rm"
rm b.mlv
assert_ok mlv checkout
assert_contains "$stdout" "0 updated"

pass
