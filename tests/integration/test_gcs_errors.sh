#!/usr/bin/env bash
# What a user sees when a gs:// remote cannot work: a missing bucket, an endpoint nobody listens
# on, a malformed URL, endpoint or key file. Each is one clear error with the documented exit
# code (7 remote, 4 bad input), sent once rather than retried, and nothing is written locally.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_gcs.sh"
unset GOOGLE_OAUTH_ACCESS_TOKEN STORAGE_EMULATOR_HOST

start_gcs_server
export GOOGLE_APPLICATION_CREDENTIALS=$GCS_KEY_FILE

new_repo work
make_random_file models/m.bin 100000
assert_ok mlv add models/m.bin
commit_all "m"

# --- a missing bucket: named, with how to create it; one request, no retries -------------------
assert_ok mlv remote add origin gs://no-such-bucket/models --default
assert_ok mlv config remote.origin.endpointurl "$GCS_ENDPOINT"
requests_before=$(grep -c /storage/ "$GCS_LOG" || true)
assert_exit 7 mlv push
assert_line_with "$output" "gs://no-such-bucket/models" "bucket 'no-such-bucket' does not exist"
assert_contains "$output" "hint:"
assert_eq "$(($(grep -c /storage/ "$GCS_LOG") - requests_before))" 1 "storage requests for a missing bucket"
assert_exit 7 mlv status -r origin
assert_contains "$output" "bucket 'no-such-bucket' does not exist"
assert_eq "$(ls "$GCS_DATA")" "mlv-test" "buckets on the server"

# --- an endpoint nobody listens on: exit 7 soon, naming the URL -------------------------------
assert_ok mlv config remote.origin.endpointurl "http://127.0.0.1:$(free_port)"
assert_ok mlv config remote.origin.retries 1
start=$(date +%s)
assert_exit 7 mlv push
[[ $(($(date +%s) - start)) -le 10 ]] || fail "an unreachable endpoint took over 10 s to report"
assert_contains "$output" "Couldn't connect"
assert_contains "$output" "gs://no-such-bucket/models"

# --- malformed settings are bad input naming what to fix ---------------------------------------
assert_exit 4 mlv remote add bad gs://Not_A_Bucket
assert_contains "$output" "gs://Not_A_Bucket"
assert_contains "$output" "not a valid bucket name"
assert_exit 4 mlv remote add bad gs://
assert_ok mlv config remote.origin.endpointurl "127.0.0.1:9"
assert_exit 4 mlv push
assert_contains "$output" "endpointurl"
assert_ok mlv remote modify origin url gs://mlv-test/models
assert_ok mlv config remote.origin.endpointurl "$GCS_ENDPOINT"
GOOGLE_APPLICATION_CREDENTIALS=$TEST_ROOT/absent.json assert_exit 4 mlv push
assert_contains "$output" "GOOGLE_APPLICATION_CREDENTIALS"
assert_contains "$output" "absent.json"
printf '{"type": "service_account", "client_email": "x@y", "private_key": "-----BEGIN' \
  >"$TEST_ROOT/broken.json"
assert_ok mlv config --local remote.origin.credentialpath "$TEST_ROOT/broken.json"
assert_exit 4 mlv push
assert_contains "$output" "broken.json"
assert_contains "$output" "invalid JSON"
assert_not_contains "$output" "BEGIN" "the error output"
printf '{"type": "authorized_user", "refresh_token": "1//secret"}' >"$TEST_ROOT/user.json"
assert_ok mlv config --local remote.origin.credentialpath "$TEST_ROOT/user.json"
assert_exit 4 mlv push
assert_contains "$output" "service_account"
assert_not_contains "$output" "1//secret" "the error output"
assert_eq "$(ls "$GCS_DATA/mlv-test")" "" "objects written by failed pushes"

# With the settings fixed, the same repository pushes.
assert_ok mlv config --local --unset remote.origin.credentialpath
assert_ok mlv push
assert_exists "$(gcs_object_file models/mlv-remote.yaml)"
pass
