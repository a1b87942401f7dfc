#!/usr/bin/env bash
# An http:// remote on nginx with WebDAV: push -> clone -> pull gives the exact bytes of a file
# and a directory model; objects appear only under their final names (PUT to a temporary name,
# MOVE into place; folders made with MKCOL); status -r, a repeated push, and fetch --rev of an
# older version work as on a folder remote.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_webdav.sh"

start_nginx_webdav share dav
store="$WEBDAV_ROOT/models"

new_repo origin-repo
make_seeded_file models/net.bin 3000000 v1
cp models/net.bin "$TEST_ROOT/net.v1"
make_random_file models/head.bin 150000
cp models/head.bin "$TEST_ROOT/head.v1"
make_random_file ckpt/weights.bin 200000
make_random_file "ckpt/tokenizer/vocab list.txt" 5000
touch ckpt/empty.txt
cp -r ckpt "$TEST_ROOT/ckpt.v1"
assert_ok mlv add models/net.bin models/head.bin ckpt
assert_ok mlv remote add origin "$WEBDAV_URL" --default
commit_all "v1 models"

assert_ok mlv status -r origin --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["not_on_remote"]' \
  "status -r before the first push"

assert_ok mlv push --json
[[ $(json_get "$stdout" 'd["files_transferred"]') -ge 3 ]] ||
  fail "the first push transferred fewer than 3 files: $stdout"

# The remote layout, on the server's disk: complete objects under their final names only.
assert_exists "$store/mlv-remote.yaml"
net_id=$(pointer_id models/net.bin.mlv)
dir_id=$(pointer_id ckpt.mlv)
assert_exists "$store/manifests/${net_id:0:2}/$net_id"
assert_exists "$store/dirs/${dir_id:0:2}/$dir_id"
assert_objects_named_by_content "$store/packs"
leftovers=$(find "$store" -name '.mlv-tmp-*')
assert_eq "$leftovers" "" "temporary objects left on the server"
# Writes went to temporary names and were moved into place; folders were made with MKCOL.
assert_contains "$(cat "$NGINX_ACCESS_LOG")" '"MOVE /share/models/packs/'
assert_contains "$(cat "$NGINX_ACCESS_LOG")" '"MKCOL /share/models/manifests/'

assert_ok mlv status -r origin --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status -r after the push"

# Pushing again transfers nothing.
assert_ok mlv push --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 0 "files_transferred of a repeated push"
assert_eq "$(json_get "$stdout" 'd["bytes_sent"]')" 0 "bytes_sent of a repeated push"

# A clone pulls the exact bytes.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
assert_sha256 models/net.bin "$net_id"
assert_file_eq models/head.bin "$TEST_ROOT/head.v1"
for f in weights.bin "tokenizer/vocab list.txt" empty.txt; do
  assert_file_eq "ckpt/$f" "$TEST_ROOT/ckpt.v1/$f"
done
assert_ok mlv verify

# v2: a small edit; the push sends little, the clone pulls it, and v1 stays fetchable by rev.
cd "$TEST_ROOT/origin-repo"
chmod u+w models/net.bin
printf 'fine-tuned head layer' | dd of=models/net.bin bs=1 seek=1500000 conv=notrunc status=none
cp models/net.bin "$TEST_ROOT/net.v2"
assert_ok mlv add models/net.bin
commit_all "v2"
git tag v2
assert_ok mlv push --json
[[ $(json_get "$stdout" 'd["bytes_sent"]') -lt 1000000 ]] ||
  fail "pushing a 21-byte edit of a 3 MB file sent too much: $stdout"

cd "$TEST_ROOT/clone"
git pull -q
assert_ok mlv pull models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/net.v2"

git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone-old"
cd "$TEST_ROOT/clone-old"
assert_ok mlv fetch --rev v2~1
assert_exists ".mlv/cache/files/${net_id:0:2}/$net_id"
git checkout -q v2~1 -- models/net.bin.mlv
assert_ok mlv checkout models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"

# An unreachable server: one clear error naming the URL, exit 7.
dead_url="http://127.0.0.1:$(free_port)/share/models"
assert_ok mlv remote add dead "$dead_url"
assert_exit 7 mlv pull -r dead
assert_contains "$output" "127.0.0.1"

pass
