#!/usr/bin/env bash
# `mlv gc -r` on an S3 remote (s3rver behind the SigV4 gate): an old version that no kept pointer
# names loses its manifest and its packs, checked with the aws cli; objects newer than --grace
# stay; a fresh clone still pulls the current version byte for byte.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
keys() { aws_s3 s3 ls --recursive "s3://models/gc/$1" | awk '{ print $4 }' | sort; }

new_repo repo
add_s3_remote origin s3://models/gc
mlv config transfer.pack_size 1000000 >/dev/null
git add .mlv/config && git commit -q -m "remote"
make_random_file m.bin 2500000
assert_ok mlv add m.bin
commit_all "v1"
v1_id=$(pointer_id m.bin.mlv)
assert_ok mlv push
v1_packs=$(keys packs/)
make_random_file m.bin 2600000
assert_ok mlv add m.bin
commit_all "v2"
v2_id=$(pointer_id m.bin.mlv)
assert_ok mlv push

# Everything is younger than the default grace period: nothing goes.
assert_ok mlv gc -r origin -f --json
assert_eq "$(json_get "$stdout" 'd["removed"]')" "false"
assert_ne "$(json_get "$stdout" 'd["recent_kept"]')" "0" "recent objects spared"
assert_contains "$(keys manifests/)" "$v1_id"

# With no grace, v1 (named only by HEAD~1) goes: its manifest and its packs.
sleep 1
assert_ok mlv gc -r origin -f --grace 0s --json
assert_eq "$(json_get "$stdout" 'd["manifests"]')" "[\"$v1_id\"]" "manifests removed"
remaining=$(keys "")
assert_not_contains "$remaining" "manifests/${v1_id:0:2}/$v1_id" "bucket after gc"
assert_contains "$remaining" "manifests/${v2_id:0:2}/$v2_id"
for pack in $v1_packs; do
  assert_not_contains "$remaining" "$pack" "bucket after gc (a pack of v1 only)"
done

git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull
assert_file_eq m.bin "$TEST_ROOT/repo/m.bin"
assert_exit 6 mlv fetch --rev HEAD~1
assert_contains "$output" "$v1_id"
pass
