#!/usr/bin/env bash
# What mlv remembers about a folder remote is a cache of the truth, not the truth: after the
# remote folder is deleted, or loses one pack, or has a pack damaged, `status -r` says so and
# `mlv push` uploads again what is missing (`--verify-remote` for a damaged pack), after which a
# fresh clone pulls byte for byte. A push with nothing new stays a few requests.
source "$(dirname "$0")/lib.sh"

packs_of() { # FILE_ID: the packs the remote's manifest names
  manifest_text "$REMOTE_DIR/manifests/${1:0:2}/$1" | awk 'NF == 4 && length($3) == 64 { print $3 }' |
    sort -u
}
remote_pack_of() { # FILE_ID [OTHER_ID]: a pack the remote's manifest of FILE_ID names, not OTHER's
  comm -23 <(packs_of "$1") <(if [[ -n "${2:-}" ]]; then packs_of "$2"; fi) | head -1
}
fresh_pull() {
  rm -rf "$TEST_ROOT/clone"
  git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
  (cd "$TEST_ROOT/clone" && assert_ok mlv pull && assert_file_eq m.bin "$TEST_ROOT/repo/m.bin" &&
    assert_file_eq n.bin "$TEST_ROOT/repo/n.bin")
}

new_repo repo
add_local_remote origin
mlv config transfer.pack_size 1000000 >/dev/null
make_random_file m.bin 3000000
make_random_file n.bin 500000
assert_ok mlv add m.bin n.bin
commit_all "v1"
m_id=$(pointer_id m.bin.mlv)
n_id=$(pointer_id n.bin.mlv)
assert_ok mlv push
grep -q '^id: [0-9a-f]\{32\}$' "$REMOTE_DIR/mlv-remote.yaml" || fail "mlv-remote.yaml has no id"
first_id=$(cat "$REMOTE_DIR/mlv-remote.yaml")

# Nothing new: nothing sent, and only a handful of requests.
assert_ok mlv push --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 0
assert_eq "$(json_get "$stdout" 'd["bytes_sent"]')" 0
(($(json_get "$stdout" 'd["requests"]') <= 12)) || fail "a push with nothing new: $stdout"

# 1. The whole remote folder deleted.
chmod -R u+w "$REMOTE_DIR" && rm -rf "$REMOTE_DIR" && mkdir -p "$REMOTE_DIR"
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "not on remote"
assert_line_with "$output" "n.bin:" "not on remote"
assert_ok mlv push
assert_contains "$output" "2 file(s) transferred"
assert_ne "$(cat "$REMOTE_DIR/mlv-remote.yaml")" "$first_id" "a new remote gets a new id"
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "up to date"
fresh_pull

# 2. One pack deleted: the file whose manifest names it goes up again; the other stays.
pack=$(remote_pack_of "$m_id" "$n_id")
chmod -R u+w "$REMOTE_DIR" && rm "$REMOTE_DIR/packs/${pack:0:2}/$pack"
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "not on remote"
assert_line_with "$output" "n.bin:" "up to date"
assert_ok mlv push
assert_contains "$output" "1 file(s) transferred, 1 already there"
fresh_pull

# 3. One pack damaged in place: existence checks cannot see it, --verify can.
pack=$(remote_pack_of "$m_id" "$n_id")
flip_byte "$REMOTE_DIR/packs/${pack:0:2}/$pack" 100
assert_ok mlv status -r origin
assert_line_with "$output" "m.bin:" "up to date"
assert_ok mlv status -r origin --verify
assert_line_with "$output" "m.bin:" "not on remote"
assert_line_with "$output" "n.bin:" "up to date"
assert_ok mlv push --verify-remote
assert_contains "$output" "1 file(s) transferred, 1 already there"
assert_ok mlv status -r origin --verify
assert_line_with "$output" "m.bin:" "up to date"
# Packed again from the same chunks, the pack has the same id: the damaged object was replaced.
assert_objects_named_by_content "$REMOTE_DIR/packs"
fresh_pull

assert_exit 2 mlv status --verify
pass
