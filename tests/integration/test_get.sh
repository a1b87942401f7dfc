#!/usr/bin/env bash
# `mlv get [REPO] PATH [--rev REV] -o OUT`: from the current repository, and from another local
# repository through its default remote while standing in a folder outside any git repository.
source "$(dirname "$0")/lib.sh"

new_repo src
add_local_remote origin "$TEST_ROOT/store"
make_seeded_file models/m.bin 500000 v1
cp models/m.bin "$TEST_ROOT/m.v1"
assert_ok mlv add models/m.bin
commit_all "v1"
git tag v1
make_seeded_file models/m.bin 520000 v2
cp models/m.bin "$TEST_ROOT/m.v2"
assert_ok mlv add models/m.bin
commit_all "v2"
assert_ok mlv push --all-commits

# From the current repository: HEAD by default, and --rev v1; from a subfolder, PATH stays
# relative to the repository root.
assert_ok mlv get models/m.bin -o "$TEST_ROOT/out.head"
assert_file_eq "$TEST_ROOT/out.head" "$TEST_ROOT/m.v2"
assert_ok mlv get models/m.bin --rev v1 -o "$TEST_ROOT/out.v1"
assert_file_eq "$TEST_ROOT/out.v1" "$TEST_ROOT/m.v1"
assert_file_eq models/m.bin "$TEST_ROOT/m.v2"
assert_eq "$(git status --porcelain)" "" "git status after get"

# From another repository (a clone with an empty cache), standing outside any git repository.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/clone"
mkdir -p "$TEST_ROOT/outside"
cd "$TEST_ROOT/outside"
assert_ok mlv get "$TEST_ROOT/clone" models/m.bin --rev v1 -o m1.bin
assert_file_eq m1.bin "$TEST_ROOT/m.v1"
assert_sha256 m1.bin "$(git -C "$TEST_ROOT/src" show v1:models/m.bin.mlv | grep '^sha256:' | awk '{print $2}' | tr -d "\"'")"
assert_ok mlv get "$TEST_ROOT/clone" models/m.bin -o m2.bin
assert_file_eq m2.bin "$TEST_ROOT/m.v2"
# The tag given as a full ref and a commit id work too.
assert_ok mlv get "$TEST_ROOT/clone" models/m.bin --rev "$(git -C "$TEST_ROOT/src" rev-parse v1)" -o m3.bin
assert_file_eq m3.bin "$TEST_ROOT/m.v1"
# Nothing but the outputs was created here.
assert_eq "$(ls -A | sort | tr '\n' ' ')" "m1.bin m2.bin m3.bin " "files in the outside folder"
# Even when the remote is given by name explicitly.
assert_ok mlv get "$TEST_ROOT/clone" models/m.bin -r origin -o m4.bin
assert_file_eq m4.bin "$TEST_ROOT/m.v2"

# An existing OUT is replaced only with --force.
echo "keep me" >existing.bin
run mlv get "$TEST_ROOT/clone" models/m.bin -o existing.bin
[[ "$status" != 0 ]] || fail "get overwrote an existing output without --force"
assert_contains "$output" "existing.bin"
assert_eq "$(cat existing.bin)" "keep me" "existing output after a refused get"
assert_ok mlv get "$TEST_ROOT/clone" models/m.bin -o existing.bin --force
assert_file_eq existing.bin "$TEST_ROOT/m.v2"
rm existing.bin

# Errors name what is wrong and write no output.
run mlv get "$TEST_ROOT/clone" models/nothing.bin -o bad1.bin
[[ "$status" != 0 ]] || fail "get of an untracked path succeeded"
assert_contains "$output" "models/nothing.bin"
assert_not_exists bad1.bin
run mlv get "$TEST_ROOT/clone" models/m.bin --rev no-such-tag -o bad2.bin
[[ "$status" != 0 ]] || fail "get --rev no-such-tag succeeded"
assert_contains "$output" "no-such-tag"
assert_not_exists bad2.bin
run mlv get "$TEST_ROOT/outside" models/m.bin -o bad3.bin
assert_eq "$status" 3 "exit code of get from a folder that is not a repository"
assert_not_exists bad3.bin

# A version that never reached the remote: 6, nothing written.
cd "$TEST_ROOT/src"
make_seeded_file models/m.bin 530000 v3
assert_ok mlv add models/m.bin
commit_all "v3 not pushed"
cd "$TEST_ROOT/clone" && git pull -q && cd "$TEST_ROOT/outside"
assert_exit 6 mlv get "$TEST_ROOT/clone" models/m.bin -o bad4.bin
assert_not_exists bad4.bin

pass
