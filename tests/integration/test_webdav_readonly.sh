#!/usr/bin/env bash
# A plain, read-only HTTP server (nginx without WebDAV) serving the folder a WebDAV remote was
# pushed to: a clone pulls the exact bytes from it, and a push to it fails with one clear
# "the server refused writes" error (exit 7) that leaves nothing on the server.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_webdav.sh"

start_nginx_webdav mirror dav
dav_url=$WEBDAV_URL
start_nginx_webdav mirror readonly
plain_url=$WEBDAV_URL
plain_log=$NGINX_ACCESS_LOG
store="$WEBDAV_ROOT/models"

new_repo publisher
make_seeded_file models/a.bin 1500000 ro
cp models/a.bin "$TEST_ROOT/a.v1"
make_random_file bundle/part1.bin 90000
make_random_file bundle/sub/part2.bin 1000
cp -r bundle "$TEST_ROOT/bundle.v1"
assert_ok mlv add models/a.bin bundle
assert_ok mlv remote add dav "$dav_url" --default
assert_ok mlv remote add mirror "$plain_url"
commit_all "models"
assert_ok mlv push

# Pull from the read-only mirror.
git clone -q "$TEST_ROOT/publisher" "$TEST_ROOT/reader"
cd "$TEST_ROOT/reader"
assert_ok mlv pull -r mirror
assert_file_eq models/a.bin "$TEST_ROOT/a.v1"
assert_file_eq bundle/part1.bin "$TEST_ROOT/bundle.v1/part1.bin"
assert_file_eq bundle/sub/part2.bin "$TEST_ROOT/bundle.v1/sub/part2.bin"
assert_ok mlv status -r mirror --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status -r against the mirror"
grep -q '"GET /mirror/models/packs/' "$plain_log" || fail "the pull did not read from the mirror"

# A push to the mirror: refused, clearly, and nothing is written.
make_random_file models/new.bin 300000
assert_ok mlv add models/new.bin
new_id=$(pointer_id models/new.bin.mlv)
before=$(find "$store" -type f | sort)
assert_exit 7 mlv push -r mirror
assert_contains "$output" "refused writes"
assert_contains "$output" "$plain_url"
assert_contains "$output" "WebDAV"
assert_eq "$(find "$store" -type f | sort)" "$before" "files on the server after a refused push"
assert_not_exists "$store/manifests/${new_id:0:2}/$new_id"

pass
