#!/usr/bin/env bash
# `mlv verify`: a clean repository passes; a corrupted cache object (file or dir member) and a
# corrupted workspace file are each reported by name, every one of them, with exit 5.
source "$(dirname "$0")/lib.sh"

assert_contains_any() { # HAYSTACK NEEDLE...
  local haystack=$1 s
  shift
  for s in "$@"; do [[ "$haystack" == *"$s"* ]] && return 0; done
  fail "output names none of [$*]:"$'\n'"$haystack"
}

new_repo repo
make_random_file a.bin 200000
make_random_file models/b.bin 150000
make_random_file ckpt/c.bin 40000
make_random_file ckpt/d/e.bin 50000
cp a.bin "$TEST_ROOT/a.orig"
assert_ok mlv add a.bin models/b.bin ckpt
commit_all "models"
assert_ok mlv verify

a_id=$(pointer_id a.bin.mlv)
b_id=$(pointer_id models/b.bin.mlv)
e_id=$(sha256_of ckpt/d/e.bin)
a_obj=.mlv/cache/files/${a_id:0:2}/$a_id
b_obj=.mlv/cache/files/${b_id:0:2}/$b_id
e_obj=.mlv/cache/files/${e_id:0:2}/$e_id

# One corrupted cache object: exit 5, named.
flip_byte "$a_obj" 1000
assert_exit 5 mlv verify
assert_contains_any "$output" "$a_id" "$a_obj"
assert_not_contains "$output" "$b_id"

# Every mismatch is reported, not just the first (two files and a dir member).
flip_byte "$b_obj" 0
flip_byte "$e_obj" 49999
assert_exit 5 mlv verify
assert_contains_any "$output" "$a_id" "$a_obj"
assert_contains_any "$output" "$b_id" "$b_obj"
assert_contains_any "$output" "$e_id" "$e_obj"
# --json or not, the workspace checkout must not have been "repaired" from the bad objects.
assert_file_eq a.bin "$TEST_ROOT/a.orig"

# Repair: drop the bad objects and add the (intact) workspace files again.
rm -f "$a_obj" "$b_obj" "$e_obj"
assert_ok mlv add a.bin models/b.bin ckpt
assert_ok mlv verify
assert_sha256 "$a_obj" "$a_id"

# A corrupted workspace file: exit 5, named by its path.
flip_byte models/b.bin 10
assert_exit 5 mlv verify
assert_contains "$output" "models/b.bin"
# The cache object is still good and a forced checkout repairs the workspace.
assert_sha256 "$b_obj" "$b_id"
assert_ok mlv checkout --force models/b.bin
assert_ok mlv verify

# A corrupted file inside a tracked dir in the workspace.
flip_byte ckpt/c.bin 7
assert_exit 5 mlv verify
assert_contains "$output" "c.bin"
assert_ok mlv checkout --force ckpt
assert_ok mlv verify

pass
