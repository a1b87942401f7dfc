#!/usr/bin/env bash
# A gs:// remote against the GCS test server on 127.0.0.1, authenticated with a service account
# key from GOOGLE_APPLICATION_CREDENTIALS: push, git clone, pull gives the exact bytes; the
# bucket holds the remote layout under the URL's prefix; a repeated push sends nothing; a second
# version pushed from the clone reaches the first repository.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_gcs.sh"

start_gcs_server
export GOOGLE_APPLICATION_CREDENTIALS=$GCS_KEY_FILE

new_repo origin-repo
make_seeded_file models/net.bin 3000000 v1
cp models/net.bin "$TEST_ROOT/net.v1"
make_random_file models/head.bin 70000
cp models/head.bin "$TEST_ROOT/head.v1"
make_random_file ckpt/weights.bin 200000
make_random_file "ckpt/tokenizer/vocab file+é.txt" 5000
touch ckpt/empty.txt
cp -r ckpt "$TEST_ROOT/ckpt.v1"
assert_ok mlv add models/net.bin models/head.bin ckpt
assert_ok mlv remote add origin gs://mlv-test/teams/vision --default
assert_ok mlv config remote.origin.endpointurl "$GCS_ENDPOINT"
# Small packs, so the push writes several of them.
assert_ok mlv config transfer.pack_size 1000000
commit_all "v1 models"

assert_ok mlv push --json
[[ $(json_get "$stdout" 'd["files_transferred"]') -ge 3 ]] || fail "push sent fewer than 3 files: $stdout"
[[ $(json_get "$stdout" 'd["bytes_sent"]') -ge 3000000 ]] || fail "push sent too few bytes: $stdout"

# The remote layout, under the prefix, as objects any GCS client can read.
net_id=$(pointer_id models/net.bin.mlv)
dir_id=$(pointer_id ckpt.mlv)
assert_exists "$(gcs_object_file teams/vision/mlv-remote.yaml)"
assert_exists "$(gcs_object_file "teams/vision/manifests/${net_id:0:2}/$net_id")"
assert_exists "$(gcs_object_file "teams/vision/dirs/${dir_id:0:2}/$dir_id")"
objects=$(ls "$GCS_DATA/mlv-test" | wc -l)
[[ $objects -gt 6 ]] || fail "only $objects objects in the bucket"
ls "$GCS_DATA/mlv-test" | grep -v '^teams%2Fvision%2F' && fail "objects outside the URL's prefix"

# A repeated push transfers nothing.
assert_ok mlv push --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 0 "files_transferred of a repeated push"
assert_eq "$(json_get "$stdout" 'd["bytes_sent"]')" 0 "bytes_sent of a repeated push"

# Clone and pull: the same bytes.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv status -r origin --json
assert_ok mlv pull --json
assert_sha256 models/net.bin "$net_id"
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
assert_file_eq models/head.bin "$TEST_ROOT/head.v1"
for f in weights.bin "tokenizer/vocab file+é.txt" empty.txt; do
  assert_file_eq "ckpt/$f" "$TEST_ROOT/ckpt.v1/$f"
done
assert_ok mlv verify
assert_ok mlv status --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status in the clone after pull"

# A new version pushed from the clone reaches the first repository; status -r sees it there.
make_seeded_file models/net.bin 3000000 v2
assert_ok mlv add models/net.bin
commit_all "v2"
assert_ok mlv push
cd "$TEST_ROOT/origin-repo"
git pull -q "$TEST_ROOT/clone" main
assert_ok mlv pull models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/clone/models/net.bin"
assert_ok mlv status -r origin --json
assert_not_contains "$stdout" "not on remote" "status -r after pushing everything"

# Every request was authorised: no storage request was refused, one token served the process.
assert_eq "$(gcs_stats requests_refused)" 0 "storage requests refused"
assert_eq "$(gcs_stats tokens_refused)" 0 "token requests refused"
pass
