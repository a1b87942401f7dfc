#!/usr/bin/env bash
# `mlv checkout`: restores files and dirs from the cache with each cache.type (copy, hardlink,
# symlink, default), replaces outdated versions, refuses unsaved work without --force (exit 9),
# and reports a missing cache object (exit 6, hint `mlv pull`).
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file models/net.bin 300000
make_random_file ckpt/a.bin 20000
make_random_file ckpt/sub/b.bin 30000
cp models/net.bin "$TEST_ROOT/net.v1"
cp -r ckpt "$TEST_ROOT/ckpt.v1"
assert_ok mlv add models/net.bin ckpt
commit_all "v1"
id=$(pointer_id models/net.bin.mlv)
object="$TEST_ROOT/repo/.mlv/cache/files/${id:0:2}/$id"

# Default cache.type (reflink,copy).
rm models/net.bin
rm -rf ckpt
assert_ok mlv checkout
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
assert_file_eq ckpt/a.bin "$TEST_ROOT/ckpt.v1/a.bin"
assert_file_eq ckpt/sub/b.bin "$TEST_ROOT/ckpt.v1/sub/b.bin"
[[ ! -L models/net.bin ]] || fail "default checkout made a symlink"
# Checking out again when everything is current is a no-op that succeeds.
assert_ok mlv checkout
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"

# copy: an independent file; writing to it cannot damage the cache.
assert_ok mlv config cache.type copy
assert_ok mlv config cache.type
assert_eq "$stdout" copy "mlv config cache.type"
rm models/net.bin
assert_ok mlv checkout models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
[[ ! -L models/net.bin ]] || fail "copy checkout made a symlink"
assert_ne "$(stat -c %i models/net.bin)" "$(stat -c %i "$object")" "inode of copy vs cache object"
chmod u+w models/net.bin
printf 'XXXX' | dd of=models/net.bin conv=notrunc status=none
assert_sha256 "$object" "$id"

# hardlink: the same inode as the cache object.
assert_ok mlv config cache.type hardlink
rm -f models/net.bin
assert_ok mlv checkout models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
assert_eq "$(stat -c %i models/net.bin)" "$(stat -c %i "$object")" "inode of hardlink vs cache object"
rm -rf ckpt
assert_ok mlv checkout ckpt
assert_file_eq ckpt/sub/b.bin "$TEST_ROOT/ckpt.v1/sub/b.bin"
b_id=$(sha256_of ckpt/sub/b.bin)
assert_eq "$(stat -c %i ckpt/sub/b.bin)" "$(stat -c %i ".mlv/cache/files/${b_id:0:2}/$b_id")" \
  "inode of hardlinked dir member"

# symlink: a link that resolves to the cache object.
assert_ok mlv config cache.type symlink
rm -f models/net.bin
assert_ok mlv checkout models/net.bin
[[ -L models/net.bin ]] || fail "symlink checkout did not make a symlink"
assert_eq "$(readlink -f models/net.bin)" "$(readlink -f "$object")" "symlink target"
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
assert_ok mlv status --json models/net.bin
assert_eq "$(json_get "$stdout" 'd[0]["status"]')" '["up_to_date"]' "status of a symlinked checkout"

# Back to copies for the rest.
assert_ok mlv config cache.type copy
rm -f models/net.bin
rm -rf ckpt
assert_ok mlv checkout
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
[[ ! -L models/net.bin ]] || fail "copy checkout left a symlink"

# An outdated version that the cache holds is replaced without --force.
chmod u+w models/net.bin
make_random_file models/net.bin 310000
cp models/net.bin "$TEST_ROOT/net.v2"
assert_ok mlv add models/net.bin
commit_all "v2"
git checkout -q HEAD~1 -- models/net.bin.mlv
assert_ok mlv checkout models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
git checkout -q HEAD -- models/net.bin.mlv
assert_ok mlv checkout models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/net.v2"

# Unsaved work (content in neither the pointer nor the cache): refuse with 9, keep the bytes.
chmod u+w models/net.bin
echo "unsaved experiment" >>models/net.bin
cp models/net.bin "$TEST_ROOT/net.unsaved"
assert_exit 9 mlv checkout models/net.bin
assert_contains "$output" "models/net.bin"
assert_contains "$output" "--force"
assert_file_eq models/net.bin "$TEST_ROOT/net.unsaved"
# Same inside a directory.
chmod u+w ckpt/a.bin
echo "edit" >>ckpt/a.bin
assert_exit 9 mlv checkout ckpt
assert_contains "$output" "a.bin"
[[ "$(tail -c 5 ckpt/a.bin)" == "edit" ]] || fail "refused checkout still changed ckpt/a.bin"
# A checkout of everything refuses too and leaves the edited file alone.
assert_exit 9 mlv checkout
assert_file_eq models/net.bin "$TEST_ROOT/net.unsaved"

# --force overwrites.
assert_ok mlv checkout --force models/net.bin ckpt
assert_file_eq models/net.bin "$TEST_ROOT/net.v2"
assert_file_eq ckpt/a.bin "$TEST_ROOT/ckpt.v1/a.bin"
# After the forced checkout the dir matches its pointer again.
assert_ok mlv status --json ckpt
assert_eq "$(json_get "$stdout" 'd[0]["status"]')" '["up_to_date"]' "ckpt status after --force"

# A missing cache object: exit 6, names the pointer, suggests `mlv pull`.
id2=$(pointer_id models/net.bin.mlv)
chmod u+w ".mlv/cache/files/${id2:0:2}"
rm -f ".mlv/cache/files/${id2:0:2}/$id2"
rm -f models/net.bin
assert_exit 6 mlv checkout models/net.bin
assert_contains "$output" "net.bin"
assert_contains "$output" "mlv pull"
assert_not_exists models/net.bin

pass
