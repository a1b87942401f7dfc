#!/usr/bin/env bash
# An S3 endpoint where nothing listens fails fast with exit 7 and one message naming the remote,
# with default settings; a server that answers every request with 503 is tried `retries` + 1
# times per request and then named, not hammered.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"
source "$LIB_DIR/server_faults.sh"

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER

new_repo repo
make_random_file models/net.bin 300000
assert_ok mlv add models/net.bin
closed_port=$(free_port)
mlv remote add origin s3://models/unreachable --default >/dev/null
mlv remote modify origin endpointurl "http://127.0.0.1:$closed_port" >/dev/null
commit_all "model"

# Nothing listens: exit 7 within seconds, one error naming the endpoint, no secret.
started=$SECONDS
assert_exit 7 mlv push
elapsed=$((SECONDS - started))
((elapsed < 30)) || fail "a push to a closed port took ${elapsed}s with default settings"
assert_contains "$stderr" "127.0.0.1:$closed_port"
assert_eq "$(grep -c 'error' <<<"$stderr")" 1 "error lines of a push to a closed port"
assert_not_contains "$output" "$AWS_SECRET_ACCESS_KEY" "the output of a failed push"
# Nothing was recorded as pushed: status -r says so, and fails the same way.
assert_exit 7 mlv status -r origin

# A server that is up but answers 503 to everything: each request is tried retries+1 times.
export NODE_OPTIONS=--openssl-legacy-provider
start_s3rver models
FAULT_MAX_CONSECUTIVE=1000 start_fault_proxy "$S3_PORT" 1 503
mlv remote modify origin endpointurl "http://127.0.0.1:$PROXY_PORT" >/dev/null
mlv remote modify origin retries 2 >/dev/null
assert_exit 7 mlv push
assert_contains "$stderr" "503"
assert_contains "$stderr" "3 attempts"
assert_eq "$(grep -c 'error' <<<"$stderr")" 1 "error lines of a push to a failing server"
# No request was tried more than retries+1 = 3 times.
most=$(awk '{ print $3, $4 }' "$PROXY_LOG" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 }')
((most <= 3)) || fail "one request was sent $most times with retries 2:"$'\n'"$(cat "$PROXY_LOG")"

pass
