#!/usr/bin/env bash
# push and pull of several models (~26 MiB, 2 MiB packs) to an S3 server through a proxy that
# fails a quarter of the requests (503, 429, connection resets, stalls, responses cut off
# mid-body): both complete, the pulled files are byte-identical, `mlv verify` passes, and the
# --json summaries count the retries it took.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"
source "$LIB_DIR/server_faults.sh"

# s3rver's truncated listings (continuation tokens) use DES, which Node's OpenSSL 3 only has in
# its legacy provider.
export NODE_OPTIONS=--openssl-legacy-provider
start_s3rver models
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
start_fault_proxy "$S3_PORT" 0.25 503,429,reset,stall,midbody

new_repo origin-repo
make_seeded_file models/encoder.bin $((12 * 1024 * 1024)) encoder
make_seeded_file models/decoder.bin $((8 * 1024 * 1024)) decoder
make_random_file ckpt/weights.bin $((5 * 1024 * 1024))
make_random_file ckpt/config.json 3000
cp "$MLV_FIXTURES/rf_small.joblib" models/rf.joblib
mkdir -p "$TEST_ROOT/originals"
cp -r models ckpt "$TEST_ROOT/originals/"
assert_ok mlv add models/encoder.bin models/decoder.bin models/rf.joblib ckpt
mlv config transfer.pack_size $((2 * 1024 * 1024)) >/dev/null
add_s3_remote origin s3://models/faults retries=5 stall_timeout=2
mlv remote modify origin endpointurl "http://127.0.0.1:$PROXY_PORT" >/dev/null
commit_all "models"

# Push through the faults.
assert_ok mlv push --json
push_stats=$stdout
[[ $(json_get "$push_stats" 'd["files_transferred"]') -ge 5 ]] || fail "push moved too few files: $push_stats"
[[ $(json_get "$push_stats" 'd["retries"]') -gt 0 ]] || fail "push reports no retries: $push_stats"
# Every object the push wrote is complete and named by its content (read back past the proxy).
assert_ok aws_s3 s3 ls --recursive s3://models/faults/packs/
[[ $(grep -c 'faults/packs/' <<<"$stdout") -ge 10 ]] || fail "too few 2 MiB packs for ~26 MiB:"$'\n'"$stdout"
push_failures=$(($(proxy_count any) - $(proxy_count forward)))
((push_failures > 0)) || fail "the proxy failed no request during the push"

# Pull into a fresh clone through the faults.
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull --json
pull_stats=$stdout
pull_stderr=$stderr
[[ $(json_get "$pull_stats" 'd["retries"]') -gt 0 ]] || fail "pull reports no retries: $pull_stats"
for f in models/encoder.bin models/decoder.bin models/rf.joblib ckpt/weights.bin ckpt/config.json; do
  assert_sha256 "$f" "$(sha256_of "$TEST_ROOT/originals/$f")"
done
assert_ok mlv verify
assert_ok mlv status --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status in the clone after pull"

# Every kind of fault really happened, and no request failed more than 3 times in a row: the
# run proved what it claims.
counts=$(stop_fault_proxy)
[[ -z "${FAULT_DEBUG:-}" ]] || printf 'push: %s\npull: %s\n%s\n' "$push_stats" "$pull_stats" "$counts" >&2
for fate in 503 429 reset stall midbody; do
  (($(proxy_count "$fate") > 0)) || fail "no '$fate' fault was injected: $counts"
done
# A pull that got through shows the user no error.
assert_not_contains "$pull_stderr" "error"

pass
