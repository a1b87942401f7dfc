#!/usr/bin/env bash
# azure:// through Azurite with AZURE_STORAGE_CONNECTION_STRING: push -> git clone -> pull gives
# the exact bytes of a file and a directory; the objects land under the URL's prefix; a second
# push sends nothing; status -r sees the remote; a file larger than max_single_put goes up as
# blocks committed with Put Block List and comes back byte for byte, also through range reads.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_azure.sh"

start_azurite
azure_create_container models
export AZURE_STORAGE_CONNECTION_STRING="$AZURITE_CONNECTION_STRING"

new_repo origin-repo
make_seeded_file models/net.bin 3000000 v1
make_random_file models/head.bin 70000
make_random_file ckpt/weights.bin 200000
make_random_file ckpt/tokenizer/vocab.txt 5000
cp -r ckpt "$TEST_ROOT/ckpt.v1"
assert_ok mlv add models/net.bin models/head.bin ckpt
assert_ok mlv remote add origin azure://models/team/a --default
commit_all "v1 models"

assert_ok mlv push --json
[[ $(json_get "$stdout" 'd["files_transferred"]') -ge 3 ]] || fail "first push: $stdout"
[[ $(json_get "$stdout" 'd["bytes_sent"]') -ge 3000000 ]] || fail "first push sent too little: $stdout"

# The remote layout, seen from outside mlv, under the URL's prefix only.
blobs=$(azure_admin list models)
net_id=$(pointer_id models/net.bin.mlv)
dir_id=$(pointer_id ckpt.mlv)
assert_line_with "$blobs" "team/a/mlv-remote.yaml"
assert_line_with "$blobs" "team/a/manifests/${net_id:0:2}/$net_id"
assert_line_with "$blobs" "team/a/dirs/${dir_id:0:2}/$dir_id"
assert_line_with "$blobs" "team/a/packs/"
assert_eq "$(grep -vc '^team/a/' <<<"$blobs" || true)" 0 "blobs outside the prefix"

assert_ok mlv push --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 0 "files_transferred of a repeated push"
assert_eq "$(json_get "$stdout" 'd["bytes_sent"]')" 0 "bytes_sent of a repeated push"

git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv status -r origin --json
assert_contains "$stdout" "net.bin"
assert_ok mlv pull
assert_file_eq models/net.bin "$TEST_ROOT/origin-repo/models/net.bin"
assert_file_eq models/head.bin "$TEST_ROOT/origin-repo/models/head.bin"
assert_file_eq ckpt/weights.bin "$TEST_ROOT/ckpt.v1/weights.bin"
assert_file_eq ckpt/tokenizer/vocab.txt "$TEST_ROOT/ckpt.v1/tokenizer/vocab.txt"
assert_sha256 models/net.bin "$net_id"
assert_ok mlv verify

# A small edit: the pull reads only the changed chunks (ranged GETs of the packs).
cd "$TEST_ROOT/origin-repo"
chmod u+w models/net.bin
printf 'fine-tuned' | dd of=models/net.bin bs=1 seek=1500000 conv=notrunc status=none
assert_ok mlv add models/net.bin
commit_all "v2"
assert_ok mlv push
cd "$TEST_ROOT/clone"
git pull -q
assert_ok mlv pull --json models/net.bin
[[ $(json_get "$stdout" 'd["bytes_received"]') -lt 1000000 ]] ||
  fail "pulling a 10-byte edit of a 3 MB file received too much: $stdout"
assert_file_eq models/net.bin "$TEST_ROOT/origin-repo/models/net.bin"

# Large objects as blocks: with max_single_put at 1 MB, a ~5 MB pack is written as 64 KiB blocks
# and committed with Put Block List.
cd "$TEST_ROOT/origin-repo"
assert_ok mlv config remote.origin.max_single_put 1000000
assert_ok mlv config remote.origin.block_size 65536
make_random_file models/big.bin 5000000
assert_ok mlv add models/big.bin
commit_all "big"
assert_ok mlv push
big_pack=$(azure_admin list models | awk '$2 > 4000000 { print $1 }')
[[ -n "$big_pack" ]] || fail "no pack of the big file on the remote:"$'\n'"$(azure_admin list models)"
blocks=$(azure_admin committed-blocks models "$big_pack")
[[ $blocks -ge 70 ]] || fail "the big pack has $blocks committed blocks, expected ~77 of 64 KiB"
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone2"
cd "$TEST_ROOT/clone2"
assert_ok mlv pull models/big.bin
assert_file_eq models/big.bin "$TEST_ROOT/origin-repo/models/big.bin"

# Option values are checked, naming the option.
assert_ok mlv config remote.origin.block_size 0
assert_exit 4 mlv push
assert_contains "$output" "block_size"

pass
