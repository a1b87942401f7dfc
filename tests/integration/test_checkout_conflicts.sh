#!/usr/bin/env bash
# A checkout that refuses to overwrite unsaved work (exit 9) writes nothing at all: not the other
# files of the same folder, not the other targets of the command. --force then switches all.
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file ckpt/a.bin 20000
make_random_file ckpt/b.bin 21000
make_random_file x.bin 22000
make_random_file y.bin 23000
assert_ok mlv add ckpt x.bin y.bin
commit_all "v1"
make_random_file ckpt/a.bin 24000
make_random_file ckpt/b.bin 25000
make_random_file x.bin 26000
make_random_file y.bin 27000
assert_ok mlv add ckpt x.bin y.bin
commit_all "v2"
cp -r ckpt "$TEST_ROOT/ckpt.v2"
cp x.bin "$TEST_ROOT/x.v2"

# Back to v1's pointers; one file of the folder and one other target hold unsaved work.
git checkout -q HEAD~1 -- ckpt.mlv x.bin.mlv y.bin.mlv
printf 'unsaved' >ckpt/b.bin
printf 'unsaved too' >y.bin
assert_exit 9 mlv checkout ckpt x.bin y.bin
assert_line_with "$stderr" "ckpt/b.bin"
assert_line_with "$stderr" "y.bin"
assert_file_eq ckpt/a.bin "$TEST_ROOT/ckpt.v2/a.bin"
assert_file_eq x.bin "$TEST_ROOT/x.v2"
assert_eq "$(cat ckpt/b.bin)" "unsaved" "the unsaved file"
assert_eq "$(cat y.bin)" "unsaved too" "the other unsaved file"

# With --force everything switches to v1.
assert_ok mlv checkout --force ckpt x.bin y.bin
assert_ok mlv status
assert_not_contains "$stdout" "modified"
assert_ne "$(sha256_of x.bin)" "$(sha256_of "$TEST_ROOT/x.v2")" "x.bin after --force"

pass
