#!/usr/bin/env bash
# A pointer left with git merge conflict markers is named, with how to resolve it; commands on
# other targets keep working, and a command over every pointer does the rest, then exits 4.
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file a.bin 3000
make_random_file other.bin 3000
cp other.bin "$TEST_ROOT/other.orig"
assert_ok mlv add a.bin other.bin
commit_all "base"
git checkout -q -b side
make_random_file a.bin 3000
cp a.bin "$TEST_ROOT/a.side"
assert_ok mlv add a.bin
commit_all "side"
git checkout -q main
make_random_file a.bin 3000
cp a.bin "$TEST_ROOT/a.main"
assert_ok mlv add a.bin
commit_all "main"
if git merge -q side >/dev/null 2>&1; then fail "the merge did not conflict"; fi
grep -q '^<<<<<<<' a.bin.mlv || fail "a.bin.mlv has no conflict markers:"$'\n'"$(cat a.bin.mlv)"

# Other targets are not blocked.
assert_ok mlv status other.bin
assert_contains "$stdout" "other.bin"
# The conflicted pointer itself: exit 4, named, with how to resolve it.
assert_exit 4 mlv status a.bin
assert_contains "$output" "a.bin.mlv"
assert_contains "$output" "conflict"
assert_contains "$output" "git checkout --ours"
assert_contains "$output" "mlv checkout"
# Every pointer: the others are reported and restored, then exit 4 naming the conflicted one.
assert_exit 4 mlv status
assert_contains "$stdout" "other.bin"
assert_contains "$stderr" "a.bin.mlv"
rm other.bin
assert_exit 4 mlv checkout
assert_file_eq other.bin "$TEST_ROOT/other.orig"
assert_contains "$stderr" "a.bin.mlv"
# push over every pointer uploads the others, then exits 4 naming the conflicted one.
add_local_remote origin
make_random_file late.bin 3000
assert_ok mlv add late.bin
assert_exit 4 mlv push
assert_contains "$stderr" "a.bin.mlv"
assert_ok mlv status -r origin late.bin other.bin
assert_not_contains "$stdout" "not on remote"
# add does not overwrite a conflicted pointer (each side may carry metadata): it says how to resolve.
assert_exit 4 mlv add a.bin
assert_contains "$output" "git checkout --ours"
grep -q '^<<<<<<<' a.bin.mlv || fail "mlv add rewrote the conflicted pointer"
# gc deletes nothing while a pointer cannot be read: it may name objects to keep.
objects_before=$(find .mlv/cache/files -type f | sort)
assert_exit 4 mlv gc -f
assert_eq "$(find .mlv/cache/files -type f | sort)" "$objects_before" "cache objects after gc"

# Resolving as the hint says works.
git checkout -q --theirs a.bin.mlv
git add a.bin.mlv
assert_ok mlv checkout a.bin
assert_file_eq a.bin "$TEST_ROOT/a.side"
assert_ok mlv status

pass
