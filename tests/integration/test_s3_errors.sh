#!/usr/bin/env bash
# What a user sees when an S3 remote cannot be used: a bucket that does not exist, an endpoint
# that does not answer (bounded retries, fast), bad option values (exit 4 naming the option).
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver present
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY

new_repo repo
make_random_file models/a.bin 200000
assert_ok mlv add models/a.bin
commit_all "model"

# A missing bucket: one clear error naming the URL and NoSuchBucket, for push and status -r.
add_s3_remote origin s3://absent-bucket/x
assert_exit 7 mlv push
assert_contains "$output" "s3://absent-bucket/x"
assert_contains "$output" "NoSuchBucket"
assert_contains "$output" "create the bucket"
[[ $(grep -c "NoSuchBucket" <<<"$output") -eq 1 ]] || fail "more than one error line:"$'\n'"$output"
assert_exit 7 mlv status -r origin
assert_contains "$output" "NoSuchBucket"
assert_exit 7 mlv pull
assert_contains "$output" "NoSuchBucket"

# An endpoint where nothing listens: exit 7 after the configured retries, in seconds.
closed_port=$(free_port)
mlv remote modify origin url s3://present/x >/dev/null
mlv remote modify origin endpointurl "http://127.0.0.1:$closed_port" >/dev/null
mlv remote modify origin retries 2 >/dev/null
start=$SECONDS
assert_exit 7 mlv push
elapsed=$((SECONDS - start))
[[ $elapsed -lt 20 ]] || fail "an unreachable endpoint took $elapsed s"
assert_contains "$output" "s3://present/x"
assert_contains "$output" "127.0.0.1:$closed_port"

# Back to the server: the same remote works.
mlv remote modify origin endpointurl "$S3_ENDPOINT" >/dev/null
assert_ok mlv push
assert_ok aws_s3 s3 ls s3://present/x/mlv-remote.yaml

# Bad option values and URLs: exit 4, naming what is wrong.
mlv remote modify origin addressing sideways >/dev/null
assert_exit 4 mlv push
assert_contains "$output" "addressing"
mlv remote modify origin addressing path >/dev/null
mlv remote modify origin multipart_chunksize 1KiB >/dev/null
assert_exit 4 mlv push
assert_contains "$output" "multipart_chunksize"
mlv remote modify origin multipart_chunksize 8MiB >/dev/null
mlv remote modify origin endpointurl "127.0.0.1:$S3_PORT" >/dev/null
assert_exit 4 mlv status -r origin
assert_contains "$output" "endpointurl"
assert_exit 4 mlv remote add bad "s3://"
assert_contains "$output" "bucket"

pass
