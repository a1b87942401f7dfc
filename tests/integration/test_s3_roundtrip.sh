#!/usr/bin/env bash
# push -> git clone -> pull through an S3 server (s3rver on 127.0.0.1): the clone gets the exact
# bytes of a file and a directory model; `status -r` tells what is on the remote; a file above
# multipart_threshold goes up in parts and comes back whole; after `gc` removed the cache, a pull
# fetches from S3 again; a repeated push sends nothing.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY

new_repo origin-repo
make_seeded_file models/net.bin 3000000 v1
make_random_file models/head.bin 40000
cp models/head.bin "$TEST_ROOT/head.bin"
make_random_file ckpt/weights.bin 200000
make_random_file "ckpt/tokenizer/vocab & merges.txt" 5000
cp -r ckpt "$TEST_ROOT/ckpt.v1"
# Above the 6 MiB threshold set below: a multipart upload of 3 parts of 5 MiB at most.
make_seeded_file big/large.bin 12000000 big
assert_ok mlv add models/net.bin models/head.bin ckpt big/large.bin
add_s3_remote origin s3://models/team/vision multipart_threshold=6MiB multipart_chunksize=5MiB
commit_all "models"

# Nothing is on the remote yet.
assert_ok mlv status -r origin --json
assert_contains "$stdout" "not_on_remote"

assert_ok mlv push --json
[[ $(json_get "$stdout" 'd["files_transferred"]') -ge 4 ]] || fail "push moved too few files: $stdout"
big_size=$(stat -c %s big/large.bin)
[[ $(json_get "$stdout" 'd["bytes_sent"]') -ge $big_size ]] || fail "push sent too few bytes: $stdout"

assert_ok mlv status -r origin --json
assert_not_contains "$stdout" "not_on_remote" "status -r after push"

# The objects sit under the prefix, in the documented layout.
assert_ok aws_s3 s3 ls --recursive s3://models/team/vision/
listing=$stdout
net_id=$(pointer_id models/net.bin.mlv)
big_id=$(pointer_id big/large.bin.mlv)
dir_id=$(pointer_id ckpt.mlv)
assert_contains "$listing" "team/vision/mlv-remote.yaml"
assert_contains "$listing" "team/vision/manifests/${net_id:0:2}/$net_id"
assert_contains "$listing" "team/vision/manifests/${big_id:0:2}/$big_id"
assert_contains "$listing" "team/vision/dirs/${dir_id:0:2}/$dir_id"
assert_contains "$listing" "team/vision/packs/"

# The pack holding the 12 MB file (15 MB with the rest) went up as a multipart upload of 3 parts
# of at most 5 MiB, and the server completed it.
log=$(cat "$S3_LOG")
assert_line_with "$log" "packs/" "?partNumber=3&uploadId=" " 200 "
assert_not_contains "$log" "partNumber=4&" "s3rver log"
assert_line_with "$log" "packs/" "?uploadId=" " 200 "

# Pushing again sends nothing.
assert_ok mlv push --json
assert_eq "$(json_get "$stdout" 'd["bytes_sent"]')" 0 "bytes_sent of a repeated push"

# A clone pulls every byte back.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull --json
assert_sha256 models/net.bin "$net_id"
assert_sha256 big/large.bin "$big_id"
assert_file_eq models/head.bin "$TEST_ROOT/head.bin"
assert_file_eq ckpt/weights.bin "$TEST_ROOT/ckpt.v1/weights.bin"
assert_file_eq "ckpt/tokenizer/vocab & merges.txt" "$TEST_ROOT/ckpt.v1/tokenizer/vocab & merges.txt"
assert_ok mlv verify
assert_ok mlv status -r origin --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status -r in the clone after pull"

# gc -w empties the cache of what the work tree does not name (the remote holds it, so gc says
# nothing of branch main); after the pointer comes back, pull refetches.
rm models/net.bin.mlv
assert_ok mlv gc -w -f
git checkout -q -- models/net.bin.mlv
rm -f models/net.bin
assert_ok mlv pull models/net.bin --json
[[ $(json_get "$stdout" 'd["bytes_received"]') -gt 0 ]] || fail "pull after gc fetched nothing"
assert_sha256 models/net.bin "$net_id"

# A small edit moves little.
cd "$TEST_ROOT/origin-repo"
chmod u+w models/net.bin
printf 'fine-tuned' | dd of=models/net.bin bs=1 seek=1500000 conv=notrunc status=none
assert_ok mlv add models/net.bin
commit_all "v2"
assert_ok mlv push --json
[[ $(json_get "$stdout" 'd["bytes_sent"]') -lt 1000000 ]] || fail "a 10-byte edit sent too much: $stdout"
cd "$TEST_ROOT/clone"
git pull -q
assert_ok mlv pull models/net.bin
assert_file_eq models/net.bin "$TEST_ROOT/origin-repo/models/net.bin"

pass
