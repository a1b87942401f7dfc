# An S3-compatible server (s3rver) on 127.0.0.1 for the S3 tests. Source after servers.sh.
#
# start_s3rver BUCKET...: starts s3rver as a background job of the test with a fresh data folder
# and the given buckets, waits until it accepts connections, and exports:
#   S3_PORT, S3_ENDPOINT (http://127.0.0.1:PORT), S3_LOG (s3rver's log: one line per request)
#   S3_ACCESS_KEY, S3_SECRET_KEY  the only key pair s3rver knows (S3RVER/S3RVER)
#   AWS_EC2_METADATA_DISABLED     so the aws cli never looks for instance credentials
# Signature checking stays on, but s3rver 3.7.1 checks only that a V4 request's access key id
# is its own (InvalidAccessKeyId); it does not recompute V4 signatures, so a wrong secret key goes
# unnoticed here (the unit tests check the signer against AWS's published signatures).
start_s3rver() {
  require_node_servers
  S3_PORT=$(free_port)
  S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
  S3_ACCESS_KEY=S3RVER
  S3_SECRET_KEY=S3RVER
  S3_LOG="$TEST_ROOT/logs/s3rver.log"
  local data="$TEST_ROOT/s3rver-data" log=$S3_LOG bucket
  local args=(--directory "$data" --address 127.0.0.1 --port "$S3_PORT")
  for bucket in "$@"; do args+=(--configure-bucket "$bucket"); done
  mkdir -p "$data"
  # s3rver makes ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 only has in
  # its legacy provider: without it every truncated listing is an InternalError.
  NODE_OPTIONS=--openssl-legacy-provider "$NODE_BIN/s3rver" "${args[@]}" >"$log" 2>&1 &
  wait_for_port "$S3_PORT" s3rver "$log"
  export S3_PORT S3_ENDPOINT S3_LOG S3_ACCESS_KEY S3_SECRET_KEY
  export AWS_EC2_METADATA_DISABLED=true
}

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

# start_moto_s3 BUCKET: moto's server, which (unlike s3rver) recomputes every SigV4 signature with
# botocore, the AWS SDK's own signer. Its first three requests need no key: they create an IAM
# user allowed s3:* and that user's access key; then BUCKET is made with the key. Exports
# MOTO_ENDPOINT, MOTO_ACCESS_KEY, MOTO_SECRET_KEY. (moto 5.2 miscomputes signatures of
# listings whose prefix holds a '/', the aws cli's included: use a bucket without a prefix.)
start_moto_s3() {
  command -v moto_server >/dev/null ||
    fail "moto_server is not installed: pip install 'moto[server]' (it checks S3 signatures)"
  local port log="$TEST_ROOT/logs/moto.log" keys
  port=$(free_port)
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  wait_for_port "$port" moto "$log"
  local aws=(env AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup AWS_DEFAULT_REGION=us-east-1
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
    /usr/bin/aws --endpoint-url "$MOTO_ENDPOINT")
  "${aws[@]}" iam create-user --user-name mlv >/dev/null
  "${aws[@]}" iam put-user-policy --user-name mlv --policy-name s3 --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
  keys=$("${aws[@]}" iam create-access-key --user-name mlv \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
  MOTO_ACCESS_KEY=$(cut -f1 <<<"$keys")
  MOTO_SECRET_KEY=$(cut -f2 <<<"$keys")
  env AWS_ACCESS_KEY_ID="$MOTO_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$MOTO_SECRET_KEY" \
    "${aws[@]:3}" s3 mb "s3://$1" >/dev/null
  export MOTO_ENDPOINT MOTO_ACCESS_KEY MOTO_SECRET_KEY
}
