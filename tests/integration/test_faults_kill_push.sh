#!/usr/bin/env bash
# kill -9 in the middle of a push to an S3 server (through the fault proxy, which logs every
# request and fails a few): right after the kill, every manifest on the remote names only packs
# that exist whole; a second push completes without sending again any pack the first one got up;
# a clone then pulls the exact bytes.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"
source "$LIB_DIR/server_faults.sh"

PREFIX=killed
# s3rver's truncated listings (continuation tokens) use DES, which Node's OpenSSL 3 only has in
# its legacy provider.
export NODE_OPTIONS=--openssl-legacy-provider
start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
start_fault_proxy "$S3_PORT" 0.1 503,reset,midbody

# confirmed_packs: the keys of the packs whose upload the server confirmed so far (per the proxy).
confirmed_packs() {
  awk '$2 == "forward" && $3 == "PUT" && $4 ~ /\/packs\// && $5 ~ /^2/ { print $4 }' "$PROXY_LOG" |
    sed -E "s|^/models/$PREFIX/||; s|\?.*||" | sort -u
}
pack_puts() { confirmed_packs | grep -c . || true; }

# remote_keys FOLDER: the keys under s3://models/PREFIX/FOLDER/, one per line, without the prefix.
# (`aws s3 ls` exits 1 when it lists nothing: the kill may come before any manifest is written.)
remote_keys() {
  { aws_s3 s3 ls --recursive "s3://models/$PREFIX/$1/" || true; } | awk '{ print $4 }' |
    sed "s|^$PREFIX/||" | sort
}

# Every manifest on the remote names only packs that are on the remote whole (their bytes hash
# to their name). Only those: s3rver, unlike S3, may keep part of an upload cut off by the kill.
check_manifests_complete() {
  local packs manifest pack
  packs=$(remote_keys packs)
  rm -rf "$TEST_ROOT/check" && mkdir -p "$TEST_ROOT/check"
  aws_s3 s3 cp --recursive --quiet "s3://models/$PREFIX/" "$TEST_ROOT/check/" ||
    fail "cannot download the remote for checking"
  for manifest in $(remote_keys manifests); do
    for pack in $(manifest_text "$TEST_ROOT/check/$manifest" | awk 'NR > 5 { print $3 }' | sort -u); do
      grep -qx "packs/${pack:0:2}/$pack" <<<"$packs" ||
        fail "manifest $manifest names pack $pack, which is not on the remote"
      assert_sha256 "$TEST_ROOT/check/packs/${pack:0:2}/$pack" "$pack"
    done
  done
}

new_repo repo
# Several models, so some manifests are written before the kill and some are not.
make_seeded_file models/a.bin $((96 * 1024 * 1024)) a
make_seeded_file models/b.bin $((96 * 1024 * 1024)) b
make_seeded_file models/c.bin $((96 * 1024 * 1024)) c
for f in a b c; do cp "models/$f.bin" "$TEST_ROOT/$f.orig"; done
assert_ok mlv add models/a.bin models/b.bin models/c.bin
mlv config transfer.pack_size $((4 * 1024 * 1024)) >/dev/null
add_s3_remote origin "s3://models/$PREFIX" retries=5 stall_timeout=2
mlv remote modify origin endpointurl "http://127.0.0.1:$PROXY_PORT" >/dev/null
commit_all "models"

# Start the push, kill it once a few packs are up.
"$MLV" push >"$TEST_ROOT/logs/killed-push.log" 2>&1 </dev/null &
push_pid=$!
for ((i = 0; i < 600; i++)); do
  (($(pack_puts) >= 8)) && break
  kill -0 "$push_pid" 2>/dev/null || break
  sleep 0.05
done
# Packs confirmed by now have had time to be recorded by mlv when the kill comes.
confirmed=$(confirmed_packs)
sleep 0.5
kill -9 "$push_pid" 2>/dev/null || fail "the push finished before it could be killed: make the models bigger"
wait "$push_pid" 2>/dev/null || true
(($(grep -c . <<<"$confirmed") >= 8)) || fail "too few packs were up when the push was killed"

# The remote right after the kill: incomplete, but nothing on it lies.
check_manifests_complete
manifests_before=$(remote_keys manifests | wc -l)
((manifests_before < 3)) || fail "all manifests were written before the kill: the kill came too late"

# The second push completes and sends no pack the first one got up.
lines_before=$(wc -l <"$PROXY_LOG")
assert_ok mlv push --json
resent=$(tail -n +"$((lines_before + 1))" "$PROXY_LOG" |
  awk '$3 == "PUT" { print $4 }' | sed -E "s|^/models/$PREFIX/||; s|\?.*||" | sort -u |
  comm -12 - <(echo "$confirmed"))
assert_eq "$resent" "" "packs uploaded again by the second push"
[[ $(json_get "$stdout" 'd["chunks_reused"]') -gt 0 ]] ||
  fail "the second push reused no chunk of the first: $stdout"
check_manifests_complete
assert_eq "$(remote_keys manifests | wc -l)" 3 "manifests on the remote after the second push"

# A clone gets the exact bytes.
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull
for f in a b c; do assert_file_eq "models/$f.bin" "$TEST_ROOT/$f.orig"; done
assert_ok mlv verify

pass
