# An S3-compatible server (s3rver) on 127.0.0.1 for the S3 tests. Source after servers.sh.
#
# start_s3rver BUCKET...: s3rver with the given buckets behind sigv4_gate.js, which verifies every
# request's Signature V4 (s3rver 3.7.1 itself checks only a V4 request's access key id), so a
# signing bug or a wrong secret fails here as it would on S3. Exports S3_ENDPOINT and S3_PORT (the
# gate), S3_LOG (s3rver's log), S3_GATE_LOG, S3_STORE_DIR, S3_ACCESS_KEY, S3_SECRET_KEY
# (S3RVER/S3RVER); see server_s3_gate.sh.
source "$LIB_DIR/server_s3_gate.sh"
start_s3rver() { start_s3rver_with_sigv4_gate "$@"; }

# aws_s3 ARGS...: the aws cli against the test server with s3rver's keys, no user config.
aws_s3() {
  AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    /usr/bin/aws --endpoint-url "$S3_ENDPOINT" "$@"
}

# add_s3_remote NAME URL [OPTION=VALUE...]: an s3:// remote on the test server, made the default;
# options go to the committed config (secrets must go through `mlv config --local`).
add_s3_remote() {
  local name=$1 url=$2 option
  shift 2
  mlv remote add "$name" "$url" --default >/dev/null || fail "mlv remote add $name $url failed"
  mlv remote modify "$name" endpointurl "$S3_ENDPOINT" >/dev/null
  mlv remote modify "$name" retries 1 >/dev/null
  for option in "$@"; do
    mlv remote modify "$name" "${option%%=*}" "${option#*=}" >/dev/null
  done
}
