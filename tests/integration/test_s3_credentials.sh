#!/usr/bin/env bash
# Where an S3 remote's credentials come from, and what a user sees when they are wrong or
# missing: keys from .mlv/config.local, from the environment, from a ~/.aws/credentials profile;
# an unknown key or no key at all is one clear error with exit code 7; no secret is ever printed.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver creds
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION \
  AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE

# A secret that must never show up in any output.
WRONG_SECRET="wrongSecret-$RANDOM-K7MDENG"
all_output=""
run_mlv() { # like assert_exit CODE mlv ..., and keeps every output for the final secret check
  local code=$1
  shift
  assert_exit "$code" mlv "$@"
  all_output+="$output"$'\n'
}

new_repo repo
make_random_file models/a.bin 300000
assert_ok mlv add models/a.bin
add_s3_remote origin s3://creds/project
commit_all "model"

# No credentials anywhere: one error naming where mlv looked, before any upload.
run_mlv 7 push
assert_contains "$output" "s3://creds/project"
assert_contains "$output" "no S3 credentials"
assert_contains "$output" "AWS_ACCESS_KEY_ID"
assert_contains "$output" "$HOME/.aws/credentials"
assert_eq "$(aws_s3 s3 ls --recursive s3://creds/ | wc -l)" 0 "objects after a push without keys"

# A secret in the committed config is refused.
run_mlv 4 config remote.origin.secret_access_key "$WRONG_SECRET"

# Keys from .mlv/config.local.
mlv config --local remote.origin.access_key_id "$S3_ACCESS_KEY" >/dev/null
mlv config --local remote.origin.secret_access_key "$S3_SECRET_KEY" >/dev/null
run_mlv 0 push
run_mlv 0 status -r origin --json
assert_not_contains "$stdout" "not_on_remote"

# An access key id the server does not know: exit 7 naming the URL and the S3 code, no retries.
mlv config --local remote.origin.access_key_id "UNKNOWNKEYID" >/dev/null
mlv config --local remote.origin.secret_access_key "$WRONG_SECRET" >/dev/null
make_random_file models/b.bin 100000
assert_ok mlv add models/b.bin
commit_all "b"
start=$SECONDS
run_mlv 7 push
assert_contains "$output" "s3://creds/project"
assert_contains "$output" "InvalidAccessKeyId"
assert_contains "$output" "access_key_id"
[[ $((SECONDS - start)) -lt 10 ]] || fail "a refused key took $((SECONDS - start)) s (retried?)"
# One error, not one per object.
[[ $(grep -c "InvalidAccessKeyId" <<<"$output") -le 2 ]] || fail "repeated errors:"$'\n'"$output"
run_mlv 7 status -r origin
assert_contains "$output" "InvalidAccessKeyId"

# Keys from the environment, when config.local has none.
mlv config --local --unset remote.origin.access_key_id >/dev/null
mlv config --local --unset remote.origin.secret_access_key >/dev/null
grep -q "access_key" .mlv/config.local && fail "config.local still has keys: $(cat .mlv/config.local)"
AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY run_mlv 0 push
b_id=$(pointer_id models/b.bin.mlv)
assert_ok aws_s3 s3 ls "s3://creds/project/manifests/${b_id:0:2}/$b_id"

# Keys from a profile in ~/.aws/credentials, chosen by the remote's `profile` option.
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/credentials" <<EOF
[default]
aws_access_key_id = UNKNOWNKEYID
aws_secret_access_key = $WRONG_SECRET

[ci]
aws_access_key_id = $S3_ACCESS_KEY
aws_secret_access_key = $S3_SECRET_KEY
EOF
# (status -r trusts what this clone already saw on the remote, so a fresh clone asks it.)
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
run_mlv 7 pull
assert_contains "$output" "InvalidAccessKeyId"
mlv remote modify origin profile ci >/dev/null
run_mlv 0 pull
assert_file_eq models/a.bin "$TEST_ROOT/repo/models/a.bin"
assert_file_eq models/b.bin "$TEST_ROOT/repo/models/b.bin"

# A profile that does not exist: the error names it.
make_random_file models/c.bin 50000
assert_ok mlv add models/c.bin
mlv remote modify origin profile nosuchprofile >/dev/null
run_mlv 7 push
assert_contains "$output" "profile 'nosuchprofile'"
# AWS_PROFILE chooses the profile when the remote names none.
mlv config --unset remote.origin.profile >/dev/null
AWS_PROFILE=ci run_mlv 0 push
c_id=$(pointer_id models/c.bin.mlv)
assert_ok aws_s3 s3 ls "s3://creds/project/manifests/${c_id:0:2}/$c_id"

# The secret never appeared in any output, and the committed config holds no key.
assert_not_contains "$all_output" "$WRONG_SECRET" "mlv output"
assert_not_contains "$all_output" "Signature=" "mlv output"
assert_not_contains "$(cat "$TEST_ROOT/repo/.mlv/config")" "$S3_SECRET_KEY" "committed config"

pass
