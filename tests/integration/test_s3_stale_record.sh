#!/usr/bin/env bash
# An S3 remote changed behind mlv's back (s3rver on 127.0.0.1): after the bucket prefix is
# deleted, or one pack is, `status -r` reports the file not on the remote and `mlv push` uploads
# it again (not "0 transferred, 1 already there"), after which a fresh clone pulls byte for byte.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY

fresh_pull() {
  rm -rf "$TEST_ROOT/clone"
  git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
  (cd "$TEST_ROOT/clone" && assert_ok mlv pull && assert_file_eq m.bin "$TEST_ROOT/repo/m.bin" &&
    assert_file_eq n.bin "$TEST_ROOT/repo/n.bin")
}

new_repo repo
add_s3_remote origin s3://models/team
mlv config transfer.pack_size 1000000 >/dev/null
make_random_file m.bin 2500000
make_random_file n.bin 300000
assert_ok mlv add m.bin n.bin
commit_all "v1"
m_id=$(pointer_id m.bin.mlv)
assert_ok mlv push
assert_contains "$output" "2 file(s) transferred"

# 1. The whole prefix deleted.
assert_ok aws_s3 s3 rm --recursive s3://models/team/
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "not on remote"
assert_ok mlv push
assert_contains "$output" "2 file(s) transferred"
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "up to date"
fresh_pull

# 2. One pack of m.bin deleted: m.bin goes up again, n.bin stays.
n_id=$(pointer_id n.bin.mlv)
assert_ok aws_s3 s3 cp "s3://models/team/manifests/${m_id:0:2}/$m_id" "$TEST_ROOT/m.manifest"
assert_ok aws_s3 s3 cp "s3://models/team/manifests/${n_id:0:2}/$n_id" "$TEST_ROOT/n.manifest"
packs_in() { manifest_text "$1" | awk 'NF == 4 && length($3) == 64 { print $3 }' | sort -u; }
pack=$(comm -23 <(packs_in "$TEST_ROOT/m.manifest") <(packs_in "$TEST_ROOT/n.manifest") | head -1)
[[ "$pack" =~ ^[0-9a-f]{64}$ ]] || fail "no pack in the manifest"
assert_ok aws_s3 s3 rm "s3://models/team/packs/${pack:0:2}/$pack"
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "not on remote"
assert_line_with "$output" "n.bin:" "up to date"
assert_ok mlv push
assert_contains "$output" "1 file(s) transferred, 1 already there"
fresh_pull
pass
