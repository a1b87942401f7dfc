#!/usr/bin/env bash
# A pack on an S3 server whose bytes were changed after the push: `mlv pull` in a fresh clone
# stops with exit 5 naming the pack, and leaves nothing under a final name (no workspace file,
# no cache object for the damaged model, nothing misnamed anywhere in the cache); a model whose
# packs are intact still pulls.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

# s3rver's truncated listings (continuation tokens) use DES, which Node's OpenSSL 3 only has in
# its legacy provider.
export NODE_OPTIONS=--openssl-legacy-provider
start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY

new_repo origin-repo
make_seeded_file models/broken.bin $((5 * 1024 * 1024)) broken
assert_ok mlv add models/broken.bin
mlv config transfer.pack_size $((2 * 1024 * 1024)) >/dev/null
add_s3_remote origin s3://models/corrupt
commit_all "broken"
assert_ok mlv push
# The intact model goes in a push of its own, so no pack holds chunks of both.
make_seeded_file models/intact.bin $((1 * 1024 * 1024)) intact
assert_ok mlv add models/intact.bin
commit_all "intact"
assert_ok mlv push
broken_id=$(pointer_id models/broken.bin.mlv)
intact_id=$(pointer_id models/intact.bin.mlv)

# Damage the first pack the broken model's manifest names: one byte inside its first chunk.
assert_ok aws_s3 s3 cp "s3://models/corrupt/manifests/${broken_id:0:2}/$broken_id" "$TEST_ROOT/broken.manifest"
pack=$(manifest_text "$TEST_ROOT/broken.manifest" | awk 'NR > 5 { print $3; exit }')
[[ "$pack" =~ ^[0-9a-f]{64}$ ]] || fail "no pack id in the manifest:"$'\n'"$(head -8 "$TEST_ROOT/broken.manifest")"
assert_ok aws_s3 s3 cp "s3://models/corrupt/packs/${pack:0:2}/$pack" "$TEST_ROOT/pack"
flip_byte "$TEST_ROOT/pack" 1000
assert_ok aws_s3 s3 cp "$TEST_ROOT/pack" "s3://models/corrupt/packs/${pack:0:2}/$pack"

git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 5 mlv pull models/broken.bin
assert_contains "$output" "$pack" "the error of a pull from a damaged pack"
assert_contains "$output" "s3://models/corrupt" "the error of a pull from a damaged pack"
assert_eq "$(grep -c 'error' <<<"$stderr")" 1 "error lines of a pull from a damaged pack"
# Nothing under a final name: no workspace file, no cache object, nothing misnamed.
assert_not_exists models/broken.bin
assert_not_exists ".mlv/cache/files/${broken_id:0:2}/$broken_id"
assert_objects_named_by_content .mlv/cache
leftovers=$(find models -type f ! -name '*.mlv' ! -name .gitignore)
assert_eq "$leftovers" "" "workspace files after the failed pull"
# The same again: a retry does not make it pass, and the message stays the same.
assert_exit 5 mlv pull models/broken.bin
assert_contains "$output" "$pack"
assert_not_exists models/broken.bin

# An intact model still pulls, and verify passes on what the clone holds.
assert_ok mlv pull models/intact.bin
assert_sha256 models/intact.bin "$intact_id"
assert_ok mlv verify models/intact.bin

pass
