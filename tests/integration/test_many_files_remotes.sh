#!/usr/bin/env bash
# A folder of 10,000 small files (names with spaces, unicode and a deep path) tracked as one
# folder, pushed to and pulled from every remote kind: a local folder, S3 (s3rver, through the
# fault proxy failing a tenth of the requests), WebDAV (nginx), Azure (Azurite) and GCS. Each push
# sends a few packs, one bundle and one listing (never an object per file) in a bounded number
# of requests; each pull into a fresh clone gives every byte back and a clean status. Then one
# file changed and one deleted: the re-push sends about that file's bytes, and a pull in the
# clone updates only what differs.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"
source "$LIB_DIR/server_faults.sh"
source "$LIB_DIR/server_webdav.sh"
source "$LIB_DIR/server_azure.sh"
source "$LIB_DIR/server_gcs.sh"

FILES=10000
require_node_servers
export NODE_OPTIONS=--openssl-legacy-provider # s3rver's continuation tokens (see test_faults_transfer)
start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
start_fault_proxy "$S3_PORT" 0.1 503,429,reset,stall,midbody
start_nginx_webdav share dav
start_azurite
azure_create_container models
export AZURE_STORAGE_CONNECTION_STRING="$AZURITE_CONNECTION_STRING"
start_gcs_server
export GOOGLE_APPLICATION_CREDENTIALS=$GCS_KEY_FILE

# The folder: 512 B - 4 KiB each (~23 MB), starting with a tag (random bytes may begin like a
# pickle, which the safety scan would not clear).
python3 - "$TEST_ROOT/v1" "$FILES" <<'EOF'
import os, random, sys
top, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
for i in range(count):
    if i < 10:
        relative = f"with space/sample {i:04}.bin"
    elif i < 20:
        relative = f"données/é ü {i:04}.bin"
    elif i < 30:
        relative = "/".join(f"d{k}" for k in range(10)) + f"/deep {i:04}.bin"
    else:
        relative = f"shard{i % 100:02}/x{i:05}.bin"
    path = os.path.join(top, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"smpl" + rng.randbytes(rng.randint(512, 4096) - 4))
EOF

new_repo repo
cp -a "$TEST_ROOT/v1" data
assert_ok mlv add data
assert_yaml data.mlv files "$FILES"
mlv config transfer.pack_size 4000000 >/dev/null
assert_ok mlv remote add local "$TEST_ROOT/store"
add_s3_remote s3 s3://models/many retries=8 stall_timeout=2
mlv remote modify s3 endpointurl "http://127.0.0.1:$PROXY_PORT" >/dev/null
assert_ok mlv remote add webdav "$WEBDAV_URL"
assert_ok mlv remote add azure azure://models/many
assert_ok mlv remote add gcs gs://mlv-test/many
assert_ok mlv config remote.gcs.endpointurl "$GCS_ENDPOINT"
commit_all "data v1"
remotes=(local s3 webdav azure gcs)

for remote in "${remotes[@]}"; do
  cd "$TEST_ROOT/repo"
  assert_ok mlv push -r "$remote" --json
  # ~23 MB in 4 MB packs: a handful of packs, one bundle, one listing, one layout file.
  sent=$(json_get "$stdout" 'd["objects_sent"]')
  ((sent <= 12)) || check_failed "push to $remote wrote $sent objects for one folder: $stdout"
  requests=$(json_get "$stdout" 'd["requests"] - d["retries"]')
  ((requests <= 60)) || check_failed "push to $remote took $requests requests: $stdout"
  assert_ok mlv status -r "$remote"
  assert_not_contains "$stdout" "not_on_remote" "status -r $remote after the push"

  # A clone of its own each time, so every byte comes from this remote. (Not one clone emptied
  # again: on ext4 without a journal, creating files soon after deleting 20,000 is many times
  # slower.)
  git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone-$remote"
  cd "$TEST_ROOT/clone-$remote"
  assert_ok mlv pull -r "$remote" --json
  requests=$(json_get "$stdout" 'd["requests"] - d["retries"]')
  ((requests <= 60)) || check_failed "pull from $remote took $requests requests: $stdout"
  diff -r data "$TEST_ROOT/v1" >/dev/null || check_failed "data pulled from $remote differs from v1"
  assert_ok mlv status
  assert_eq "$stdout" "data: up to date" "status after the pull from $remote"
done
# The fault proxy did fail requests, and the S3 push and pull came through them.
(($(proxy_count any) > $(proxy_count forward))) || check_failed "the fault proxy failed no request"

# One file changed and one deleted: re-add, push to each remote; the clone pulls the change.
cd "$TEST_ROOT/repo"
chmod u+w "data/shard42/x04242.bin"
printf 'changed' >>"data/shard42/x04242.bin"
rm "data/with space/sample 0003.bin"
assert_ok mlv add data
assert_yaml data.mlv files "$((FILES - 1))"
commit_all "data v2"
for remote in "${remotes[@]}"; do
  assert_ok mlv push -r "$remote" --json
  sent=$(json_get "$stdout" 'd["bytes_sent"]')
  # The changed file's chunk (<= 4 KiB) in a pack, the new bundle (~10,000 manifests, compressed)
  # and listing: far below the folder's 23 MB.
  ((sent < 2000000)) || check_failed "one changed file sent $sent bytes to $remote: $stdout"
done
cd "$TEST_ROOT/clone-azure"
git pull -q
assert_ok mlv pull -r azure --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 1 "files fetched for one change"
diff -r data "$TEST_ROOT/repo/data" >/dev/null || check_failed "the clone's data differs from v2"
assert_not_exists "data/with space/sample 0003.bin"
assert_ok mlv status
assert_eq "$stdout" "data: up to date" "status after pulling v2"

pass
