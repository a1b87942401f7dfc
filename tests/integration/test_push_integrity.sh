#!/usr/bin/env bash
# `mlv push` never uploads a cache object whose bytes no longer match its id: it stops with exit
# 5 naming the pointer and the object, leaves no manifest (and no pack of the bad bytes) on the
# remote, and once the cache is repaired it uploads the right bytes, which a clone pulls byte
# for byte. The same when the cache already holds the file's manifest (made by an earlier push
# to another remote): no internal error reaches the user.
source "$(dirname "$0")/lib.sh"

remote_packs() { find "$1/packs" -type f 2>/dev/null | sort || true; }

new_repo repo
add_local_remote origin
mlv config transfer.pack_size 1000000 >/dev/null
make_random_file m.bin 3000000
assert_ok mlv add m.bin
commit_all "v1"
id=$(pointer_id m.bin.mlv)
object=".mlv/cache/files/${id:0:2}/$id"

# No manifest in the cache yet: the push cuts the cache object itself.
flip_byte "$object" 1500000
mv m.bin "$TEST_ROOT/m.bin.saved"
assert_exit 5 mlv push
assert_contains "$output" "m.bin.mlv" "the error names the pointer"
assert_contains "$output" "$id" "the error names the cache object"
assert_not_contains "$output" "internal"
assert_not_exists "$REMOTE_DIR/manifests/${id:0:2}/$id"
assert_eq "$(remote_packs "$REMOTE_DIR")" "" "packs uploaded from a damaged object"
assert_objects_named_by_content .mlv/cache/files
# Repaired by adding the workspace file again: the push sends the right bytes.
mv "$TEST_ROOT/m.bin.saved" m.bin
assert_ok mlv add m.bin
assert_ok mlv push
assert_contains "$output" "1 file(s) transferred"
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
(cd "$TEST_ROOT/clone" && assert_ok mlv pull && assert_file_eq m.bin "$TEST_ROOT/repo/m.bin")

# The cache now holds m.bin's manifest (made by that push). A second remote, and the object
# damaged again: the chunks are checked against the manifest's ids as they are packed.
add_local_remote backup "$TEST_ROOT/remote-backup"
flip_byte "$object" 2500000
mv m.bin "$TEST_ROOT/m.bin.saved"
assert_exit 5 mlv push -r backup
assert_contains "$output" "m.bin.mlv"
assert_contains "$output" "$id"
assert_not_contains "$output" "internal"
assert_not_exists "$TEST_ROOT/remote-backup/manifests/${id:0:2}/$id"
assert_objects_named_by_content .mlv/cache/files
assert_objects_named_by_content "$TEST_ROOT/remote-backup/packs"
# Repaired by a fetch from the remote that has it.
assert_ok mlv fetch -r origin
assert_ok mlv push -r backup
assert_contains "$output" "1 file(s) transferred"
mv "$TEST_ROOT/m.bin.saved" m.bin
cd "$TEST_ROOT/clone"
mlv remote add backup "$TEST_ROOT/remote-backup" >/dev/null
rm -rf .mlv/cache m.bin
assert_ok mlv pull -r backup
assert_file_eq m.bin "$TEST_ROOT/repo/m.bin"
pass
