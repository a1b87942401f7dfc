#!/usr/bin/env bash
# fetch --rev / --all-tags / --all-branches / --all-commits: the cache gets exactly the versions
# the selected revisions name, without touching the workspace, and an old version can then be
# checked out offline (with the remote gone).
source "$(dirname "$0")/lib.sh"

in_cache() { [[ -f ".mlv/cache/files/${1:0:2}/$1" ]]; }
assert_in_cache() { in_cache "$1" || fail "$2 ($1) is not in the cache of $PWD"; }
assert_not_in_cache() { ! in_cache "$1" || fail "$2 ($1) is in the cache of $PWD but was not selected"; }

# History: c0 (untagged) -> v1 (tag) -> main (HEAD), and branch exp off v1.
new_repo src
add_local_remote origin "$TEST_ROOT/store"
make_seeded_file m.bin 400000 c0
assert_ok mlv add m.bin
commit_all "c0"
c0_commit=$(git rev-parse HEAD)
c0_id=$(pointer_id m.bin.mlv)
make_seeded_file m.bin 410000 v1
cp m.bin "$TEST_ROOT/m.v1"
assert_ok mlv add m.bin
commit_all "v1"
git tag v1
v1_id=$(pointer_id m.bin.mlv)
git checkout -q -b exp
make_seeded_file m.bin 420000 exp
assert_ok mlv add m.bin
commit_all "exp"
exp_id=$(pointer_id m.bin.mlv)
git checkout -q main
assert_ok mlv checkout m.bin
assert_file_eq m.bin "$TEST_ROOT/m.v1"
make_seeded_file m.bin 430000 v2
cp m.bin "$TEST_ROOT/m.v2"
assert_ok mlv add m.bin
commit_all "v2"
v2_id=$(pointer_id m.bin.mlv)

# Push every version that any commit names.
assert_ok mlv push --all-commits
for id in "$c0_id" "$v1_id" "$exp_id" "$v2_id"; do
  assert_exists "$TEST_ROOT/store/manifests/${id:0:2}/$id"
done

# --rev v1 in a fresh clone: v1 lands in the cache only.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/c1"
cd "$TEST_ROOT/c1"
assert_ok mlv fetch --rev v1 --json
[[ $(json_get "$stdout" 'd["objects_received"]') -gt 0 ]] || fail "fetch --rev v1 received nothing: $stdout"
assert_in_cache "$v1_id" "v1's m.bin"
assert_not_in_cache "$c0_id" "c0's m.bin"
assert_not_in_cache "$exp_id" "exp's m.bin"
assert_not_exists m.bin
assert_eq "$(git rev-parse HEAD)" "$(git -C "$TEST_ROOT/src" rev-parse main)" "HEAD after fetch --rev"
assert_eq "$(git status --porcelain)" "" "git status after fetch --rev"
# Offline: the remote is gone, yet v1 checks out from the cache.
mv "$TEST_ROOT/store" "$TEST_ROOT/store.away"
git checkout -q v1 -- m.bin.mlv
assert_ok mlv checkout m.bin
assert_file_eq m.bin "$TEST_ROOT/m.v1"
assert_sha256 m.bin "$v1_id"
# And the HEAD version was not fetched, so its checkout reports the missing object.
git checkout -q HEAD -- m.bin.mlv
assert_exit 6 mlv checkout m.bin
assert_contains "$output" "mlv pull"
assert_file_eq m.bin "$TEST_ROOT/m.v1"
mv "$TEST_ROOT/store.away" "$TEST_ROOT/store"

# --rev with a commit id and with two revisions.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/c2"
cd "$TEST_ROOT/c2"
assert_ok mlv fetch --rev "$c0_commit" --rev exp
assert_in_cache "$c0_id" "c0's m.bin"
assert_not_in_cache "$v1_id" "v1's m.bin"
run mlv fetch --rev no-such-revision
[[ "$status" != 0 ]] || fail "fetch --rev no-such-revision succeeded"$'\n'"$(last_output)"
assert_contains "$output" "no-such-revision"

# --all-tags: v1 (and the workspace), not c0 or exp.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/c3"
cd "$TEST_ROOT/c3"
assert_ok mlv fetch --all-tags
assert_in_cache "$v1_id" "v1's m.bin"
assert_not_in_cache "$c0_id" "c0's m.bin"
assert_not_in_cache "$exp_id" "exp's m.bin"

# --all-branches: main and exp, not c0. (exp is remote-tracking in a clone: make it local.)
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/c4"
cd "$TEST_ROOT/c4"
git branch -q exp origin/exp
assert_ok mlv fetch --all-branches
assert_in_cache "$v2_id" "main's m.bin"
assert_in_cache "$exp_id" "exp's m.bin"
assert_not_in_cache "$c0_id" "c0's m.bin"

# --all-commits: every version.
git clone -q "$TEST_ROOT/src" "$TEST_ROOT/c5"
cd "$TEST_ROOT/c5"
git branch -q exp origin/exp
assert_ok mlv fetch --all-commits
for id in "$c0_id" "$v1_id" "$exp_id" "$v2_id"; do
  assert_in_cache "$id" "m.bin version"
  assert_sha256 ".mlv/cache/files/${id:0:2}/$id" "$id"
done
assert_not_exists m.bin
assert_ok mlv verify

pass
