#!/usr/bin/env bash
# add -> commit -> push to a local folder remote -> git clone -> pull: the clone gets the exact
# bytes (sha256sum equals the pointer id, cmp equals the original) for a file and a directory;
# pushing again transfers nothing; a small edit of a big file transfers only a little.
source "$(dirname "$0")/lib.sh"

check_stats_keys() { # JSON
  local key
  for key in bytes_sent bytes_received objects_sent objects_received requests files_transferred \
    files_skipped chunks_new chunks_reused seconds; do
    json_get "$1" "d[\"$key\"]" >/dev/null || fail "stats JSON lacks $key: $1"
  done
}

new_repo origin-repo
make_seeded_file models/net.bin 3000000 v1
cp models/net.bin "$TEST_ROOT/net.v1"
cp "$MLV_FIXTURES/rf_small.joblib" models/rf.joblib
make_random_file ckpt/weights.bin 200000
make_random_file ckpt/tokenizer/vocab.txt 5000
touch ckpt/empty.txt
cp -r ckpt "$TEST_ROOT/ckpt.v1"
assert_ok mlv add models/net.bin models/rf.joblib ckpt --metric accuracy=0.9
add_local_remote origin "$TEST_ROOT/store"
commit_all "v1 models"

assert_ok mlv push --json
stats=$stdout
check_stats_keys "$stats"
[[ $(json_get "$stats" 'd["files_transferred"]') -ge 3 ]] ||
  fail "first push transferred fewer than 3 files: $stats"
[[ $(json_get "$stats" 'd["bytes_sent"]') -ge 3000000 ]] || fail "first push sent too few bytes: $stats"

# Remote layout.
assert_exists "$TEST_ROOT/store/mlv-remote.yaml"
net_id=$(pointer_id models/net.bin.mlv)
dir_id=$(pointer_id ckpt.mlv)
assert_exists "$TEST_ROOT/store/manifests/${net_id:0:2}/$net_id"
assert_exists "$TEST_ROOT/store/dirs/${dir_id:0:2}/$dir_id"
# A folder's files travel with one bundle of their manifests, not one object each.
assert_exists "$TEST_ROOT/store/bundles/${dir_id:0:2}/$dir_id"
vocab_id=$(sha256_of ckpt/tokenizer/vocab.txt)
assert_not_exists "$TEST_ROOT/store/manifests/${vocab_id:0:2}/$vocab_id"
assert_contains "$(manifest_text "$TEST_ROOT/store/bundles/${dir_id:0:2}/$dir_id")" "id $vocab_id"
packs=$(find "$TEST_ROOT/store/packs" -type f | wc -l)
[[ $packs -ge 1 ]] || fail "no packs on the remote"
find "$TEST_ROOT/store/packs" -type f | while read -r f; do
  [[ "$(basename "$(dirname "$f")")" == "$(basename "$f" | cut -c1-2)" ]] || fail "pack $f not under its 2-hex folder"
done
assert_objects_named_by_content "$TEST_ROOT/store/packs"
# Packs, not one object per 64 KiB chunk: a 3 MB file needs only a few.
[[ $packs -le 4 ]] || fail "$packs packs for ~3.2 MB of data"

# Pushing again transfers nothing.
assert_ok mlv push --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 0 "files_transferred of a repeated push"
assert_eq "$(json_get "$stdout" 'd["bytes_sent"]')" 0 "bytes_sent of a repeated push"

# Clone and pull.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_not_exists models/net.bin
assert_ok mlv pull --json
check_stats_keys "$stdout"
assert_sha256 models/net.bin "$net_id"
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
assert_file_eq models/rf.joblib "$MLV_FIXTURES/rf_small.joblib"
assert_sha256 models/rf.joblib "$(pointer_id models/rf.joblib.mlv)"
for f in weights.bin tokenizer/vocab.txt empty.txt; do
  assert_file_eq "ckpt/$f" "$TEST_ROOT/ckpt.v1/$f"
done
assert_eq "$(find ckpt -type f | wc -l)" 3 "files in the pulled dir"
assert_ok mlv status --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status in the clone after pull"
assert_ok mlv verify
# The data files are ignored by git in the clone too.
assert_eq "$(git status --porcelain)" "" "git status in the clone after pull"
# A second pull transfers nothing.
assert_ok mlv pull --json
assert_eq "$(json_get "$stdout" 'd["files_transferred"]')" 0 "files_transferred of a repeated pull"
assert_eq "$(json_get "$stdout" 'd["bytes_received"]')" 0 "bytes_received of a repeated pull"

# A small edit of the big file: the push and the pull move little more than the changed chunks.
cd "$TEST_ROOT/origin-repo"
chmod u+w models/net.bin
printf 'fine-tuned head layer' | dd of=models/net.bin bs=1 seek=1500000 conv=notrunc status=none
cp models/net.bin "$TEST_ROOT/net.v2"
assert_ok mlv add models/net.bin
commit_all "v2"
assert_ok mlv push --json
stats=$stdout
assert_eq "$(json_get "$stats" 'd["files_transferred"]')" 1 "files_transferred after editing one file"
[[ $(json_get "$stats" 'd["bytes_sent"]') -lt 1000000 ]] ||
  fail "pushing a 21-byte edit of a 3 MB file sent too much: $stats"
[[ $(json_get "$stats" 'd["chunks_reused"]') -gt 0 ]] || fail "no chunks reused: $stats"

cd "$TEST_ROOT/clone"
git pull -q
assert_ok mlv pull --json models/net.bin
stats=$stdout
assert_file_eq models/net.bin "$TEST_ROOT/net.v2"
[[ $(json_get "$stats" 'd["bytes_received"]') -lt 1000000 ]] ||
  fail "pulling a 21-byte edit of a 3 MB file received too much: $stats"
assert_ok mlv verify

# Pushing a version whose cache object is gone: 6, naming the file.
cd "$TEST_ROOT/origin-repo"
make_random_file models/lost.bin 5000
assert_ok mlv add models/lost.bin
lost_id=$(pointer_id models/lost.bin.mlv)
chmod u+w ".mlv/cache/files/${lost_id:0:2}"
rm -f ".mlv/cache/files/${lost_id:0:2}/$lost_id"
assert_exit 6 mlv push models/lost.bin
assert_contains "$output" "lost.bin"
assert_not_exists "$TEST_ROOT/store/manifests/${lost_id:0:2}/$lost_id"
assert_ok mlv remove models/lost.bin

# A third clone pulls one target only.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone2"
cd "$TEST_ROOT/clone2"
assert_ok mlv pull ckpt
assert_file_eq ckpt/weights.bin "$TEST_ROOT/ckpt.v1/weights.bin"
assert_not_exists models/net.bin

pass
