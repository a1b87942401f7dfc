#!/usr/bin/env bash
# mlv's SigV4 signatures hold against a server that checks them (s3rver behind sigv4_gate.js,
# which recomputes each from AWS's specification): single PUTs, a multipart upload, range reads. A wrong secret key is one clear
# error, exit 7, naming SignatureDoesNotMatch and what to check, and the secret is never printed.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver signed
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_PROFILE
WRONG_SECRET="Wr0ngSecret-$RANDOM-bPxRfiCY"

new_repo repo
make_seeded_file models/big.bin 9000000 big # above the 6 MiB threshold: 2 parts
make_random_file models/small.bin 100000
assert_ok mlv add models/big.bin models/small.bin
mlv remote add origin s3://signed --default >/dev/null
mlv remote modify origin endpointurl "$S3_ENDPOINT" >/dev/null
mlv remote modify origin retries 1 >/dev/null
mlv remote modify origin multipart_threshold 6MiB >/dev/null
mlv remote modify origin multipart_chunksize 5MiB >/dev/null
commit_all "models"
mlv config --local remote.origin.access_key_id "$S3_ACCESS_KEY" >/dev/null
mlv config --local remote.origin.secret_access_key "$S3_SECRET_KEY" >/dev/null

assert_ok mlv push
assert_line_with "$(cat "$S3_GATE_LOG")" "PUT /signed/packs/" "partNumber=2" "forwarded"
assert_not_contains "$(cat "$S3_GATE_LOG")" "SignatureDoesNotMatch" "gate log of a correct push"

git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
mlv config --local remote.origin.access_key_id "$S3_ACCESS_KEY" >/dev/null
mlv config --local remote.origin.secret_access_key "$WRONG_SECRET" >/dev/null
assert_exit 7 mlv pull
wrong_output=$output
assert_contains "$output" "s3://signed"
assert_contains "$output" "SignatureDoesNotMatch"
assert_contains "$output" "secret_access_key"
[[ $(grep -c "error" <<<"$output") -eq 1 ]] || fail "more than one error:"$'\n'"$output"
assert_not_exists models/big.bin

mlv config --local remote.origin.secret_access_key "$S3_SECRET_KEY" >/dev/null
assert_ok mlv pull
assert_file_eq models/big.bin "$TEST_ROOT/repo/models/big.bin"
assert_file_eq models/small.bin "$TEST_ROOT/repo/models/small.bin"

# With the wrong secret again, a push of a new model is refused the same way.
mlv config --local remote.origin.secret_access_key "$WRONG_SECRET" >/dev/null
make_random_file models/new.bin 50000
assert_ok mlv add models/new.bin
assert_exit 7 mlv push -v
assert_contains "$output" "SignatureDoesNotMatch"
assert_not_contains "$wrong_output$output" "$WRONG_SECRET" "mlv output"
assert_contains "$(cat "$S3_GATE_LOG")" "SignatureDoesNotMatch"

pass
