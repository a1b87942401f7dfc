#!/usr/bin/env bash
# The SigV4 gate in front of s3rver (tests/servers/sigv4_gate.js): requests signed correctly by
# real clients (the aws cli, curl --aws-sigv4) get through and do what they ask; requests signed
# badly are refused with S3's error codes and never reach the store.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3_gate.sh"

[[ -x /usr/bin/aws ]] || fail "the aws cli is not installed (/usr/bin/aws): run ./setup.sh test"

# The gate's signature code against AWS's published example signatures.
assert_ok node "$SERVERS_DIR/sigv4_gate.js" --self-test
assert_contains "$output" "self-test: ok"

start_s3rver_with_sigv4_gate bkt

# aws_cli [VAR=VALUE...] ARGS...: the aws cli against the gate, with the right keys unless the
# leading assignments change them, and no user configuration.
aws_cli() {
  local assignments=()
  while [[ $# -gt 0 && "$1" == [A-Z_]*=* ]]; do assignments+=("$1"); shift; done
  env AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
    AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=1 "${assignments[@]}" \
    /usr/bin/aws --endpoint-url "$S3_ENDPOINT" --no-cli-pager "$@"
}

# curl_s3 SECRET ARGS...: curl signing with SigV4 (curl 7.88 does not send x-amz-content-sha256,
# which S3 requires: callers pass it with -H). Prints the body, then the status on its own line.
curl_s3() {
  local secret=$1
  shift
  curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$secret" \
    -w '\n%{http_code}' "$@"
}

# assert_fails CMD...: CMD exits non-zero (the aws cli exits 1 or 254 depending on the command).
assert_fails() {
  run "$@"
  [[ "$status" != 0 ]] || fail "'$*' succeeded"$'\n'"$(last_output)"
}

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
stored() { echo "$S3_STORE_DIR/$1._S3rver_object"; } # BUCKET/KEY -> s3rver's file
gate_lines() { wc -l <"$S3_GATE_LOG"; }
gate_lines_since() { tail -n +"$(($1 + 1))" "$S3_GATE_LOG"; } # lines after the first N

# --- the aws cli, right keys: everything works ---------------------------------------------------

data="$TEST_ROOT/data"
mkdir -p "$data"
make_random_file "$data/small.bin" 3000
make_random_file "$data/big.bin" $((20 * 1024 * 1024 + 123)) # > 8 MiB: a multipart upload
make_random_file "$data/single.bin" $((18 * 1024 * 1024))   # one signed PUT past the spool size

assert_ok aws_cli s3 mb s3://made
assert_contains "$output" "make_bucket: made"
assert_ok aws_cli s3 cp --only-show-errors "$data/small.bin" s3://bkt/small.bin
assert_file_eq "$(stored bkt/small.bin)" "$data/small.bin"
assert_ok aws_cli s3 cp --only-show-errors "$data/big.bin" s3://bkt/dir/big.bin
assert_file_eq "$(stored bkt/dir/big.bin)" "$data/big.bin"
gate_log=$(cat "$S3_GATE_LOG")
assert_line_with "$gate_log" "POST /bkt/dir/big.bin?uploads" forwarded 200
assert_line_with "$gate_log" "PUT /bkt/dir/big.bin?uploadId=" "partNumber=3" forwarded 200
assert_line_with "$gate_log" "POST /bkt/dir/big.bin?uploadId=" forwarded 200
# A key that needs encoding: space, '+', parentheses, '~', non-ASCII.
odd_key='odd dir/a key+(1)~é.bin'
assert_ok aws_cli s3 cp --only-show-errors "$data/small.bin" "s3://bkt/$odd_key"
assert_file_eq "$(stored "bkt/$odd_key")" "$data/small.bin"
# One signed PUT whose body the gate holds in a spool file until its hash is checked.
assert_ok aws_cli s3api put-object --bucket made --key single.bin --body "$data/single.bin"
assert_file_eq "$(stored made/single.bin)" "$data/single.bin"
assert_eq "$(find "$TEST_ROOT/sigv4-gate-spool" -type f | wc -l)" 0 "spool files left"

assert_ok aws_cli s3 ls --recursive s3://bkt
assert_contains "$output" "dir/big.bin"
assert_contains "$output" "small.bin"
assert_contains "$output" "$odd_key"
assert_ok aws_cli s3 ls s3://
assert_contains "$output" "made"

assert_ok aws_cli s3 cp --only-show-errors s3://bkt/dir/big.bin "$data/big.down"
assert_file_eq "$data/big.down" "$data/big.bin"
assert_ok aws_cli s3 cp --only-show-errors "s3://bkt/$odd_key" "$data/odd.down"
assert_file_eq "$data/odd.down" "$data/small.bin"
assert_ok aws_cli s3api get-object --bucket bkt --key dir/big.bin --range bytes=1000-1999 "$data/range.down"
assert_contains "$output" '"ContentRange": "bytes 1000-1999/'
dd if="$data/big.bin" of="$data/range.expected" bs=1000 skip=1 count=1 status=none
assert_file_eq "$data/range.down" "$data/range.expected"

# A presigned URL (query authentication) works with a plain client, and only as signed.
assert_ok aws_cli s3 presign s3://bkt/small.bin --expires-in 300
url=$stdout
assert_ok curl -sS -o "$data/presigned.down" -w '%{http_code}' "$url"
assert_eq "$stdout" 200 "presigned GET status"
assert_file_eq "$data/presigned.down" "$data/small.bin"
assert_ok curl -sS -w '\n%{http_code}' "${url/bkt\/small.bin/bkt\/dir\/big.bin}"
assert_contains "$stdout" "<Code>SignatureDoesNotMatch</Code>"
assert_eq "$(tail -1 <<<"$stdout")" 403 "presigned URL used for another key"
assert_ok aws_cli s3 presign s3://bkt/small.bin --expires-in 1
url=$stdout
sleep 2
assert_ok curl -sS -w '\n%{http_code}' "$url"
assert_contains "$stdout" "<Message>Request has expired</Message>"

# --- the aws cli, wrong secret: every request refused, nothing reaches the store -------------------

served_before=$(s3rver_request_count)
lines_before=$(gate_lines)
assert_fails aws_cli AWS_SECRET_ACCESS_KEY=wrong-secret s3 ls s3://bkt
assert_contains "$output" "SignatureDoesNotMatch"
assert_fails aws_cli AWS_SECRET_ACCESS_KEY=wrong-secret s3 cp --only-show-errors "$data/small.bin" s3://bkt/refused.bin
assert_contains "$output" "SignatureDoesNotMatch"
assert_fails aws_cli AWS_SECRET_ACCESS_KEY=wrong-secret s3 cp --only-show-errors "$data/big.bin" s3://bkt/refused-big.bin
assert_contains "$output" "SignatureDoesNotMatch"
# (the download starts with a HEAD, whose refusal has no body to name the error: the log does)
assert_fails aws_cli AWS_SECRET_ACCESS_KEY=wrong-secret s3 cp --only-show-errors s3://bkt/small.bin "$data/refused.down"
assert_contains "$output" "(403)"
assert_not_exists "$data/refused.down"
assert_fails aws_cli AWS_SECRET_ACCESS_KEY=wrong-secret s3api get-object --bucket bkt --key dir/big.bin --range bytes=0-9 "$data/refused.range"
assert_contains "$output" "SignatureDoesNotMatch"
assert_fails aws_cli AWS_SECRET_ACCESS_KEY=wrong-secret s3 mb s3://refused-bucket
assert_contains "$output" "SignatureDoesNotMatch"
refused=$(gate_lines_since "$lines_before")
[[ -n "$refused" ]] || fail "the gate logged nothing for the wrong-secret requests"
while IFS= read -r line; do
  [[ "$line" == *" SignatureDoesNotMatch 403" ]] || fail "a wrong-secret request was not refused: $line"
done <<<"$refused"
assert_eq "$(s3rver_request_count)" "$served_before" "requests s3rver answered during the wrong-secret calls"
assert_not_exists "$(stored bkt/refused.bin)"
assert_not_exists "$(stored bkt/refused-big.bin)"
assert_not_exists "$S3_STORE_DIR/refused-bucket"

# An access key the gate does not know; no authentication at all.
assert_fails aws_cli AWS_ACCESS_KEY_ID=NOBODY s3 ls s3://bkt
assert_contains "$output" "InvalidAccessKeyId"
assert_ok curl -sS -w '\n%{http_code}' "$S3_ENDPOINT/bkt/small.bin"
assert_contains "$stdout" "<Code>AccessDenied</Code>"
assert_eq "$(tail -1 <<<"$stdout")" 403 "anonymous GET status"
assert_eq "$(s3rver_request_count)" "$served_before" "requests s3rver answered for refused requests"

# --- curl --aws-sigv4 ----------------------------------------------------------------------------

assert_ok curl_s3 "$S3_SECRET_KEY" -H "x-amz-content-sha256: $EMPTY_SHA256" -r 1000-1999 \
  -o "$data/curl.range" "$S3_ENDPOINT/bkt/dir/big.bin"
assert_eq "$(tail -1 <<<"$stdout")" 206 "curl ranged GET status"
assert_file_eq "$data/curl.range" "$data/range.expected"
small_sha=$(sha256_of "$data/small.bin")
assert_ok curl_s3 "$S3_SECRET_KEY" -H "x-amz-content-sha256: $small_sha" -T "$data/small.bin" \
  "$S3_ENDPOINT/bkt/by-curl.bin"
assert_eq "$(tail -1 <<<"$stdout")" 200 "curl PUT status"
assert_file_eq "$(stored bkt/by-curl.bin)" "$data/small.bin"
assert_ok curl_s3 "$S3_SECRET_KEY" -H "x-amz-content-sha256: $EMPTY_SHA256" \
  "$S3_ENDPOINT/bkt?list-type=2&prefix=dir%2F"
assert_contains "$stdout" "<Key>dir/big.bin</Key>"
assert_not_contains "$stdout" "<Key>small.bin</Key>"

served_before=$(s3rver_request_count)
# Wrong secret.
assert_ok curl_s3 wrong-secret -H "x-amz-content-sha256: $EMPTY_SHA256" "$S3_ENDPOINT/bkt/small.bin"
assert_contains "$stdout" "<Code>SignatureDoesNotMatch</Code>"
assert_contains "$stdout" "<CanonicalRequest>GET"
assert_eq "$(tail -1 <<<"$stdout")" 403 "curl wrong-secret status"
# A correctly signed body hash, but a different body, over an existing object: refused once the
# body is in, and the object keeps its bytes (s3rver writes objects in place).
make_random_file "$data/other.bin" 3000
assert_ok curl_s3 "$S3_SECRET_KEY" -H "x-amz-content-sha256: $small_sha" -T "$data/other.bin" \
  "$S3_ENDPOINT/bkt/by-curl.bin"
assert_contains "$stdout" "<Code>XAmzContentSHA256Mismatch</Code>"
assert_eq "$(tail -1 <<<"$stdout")" 400 "curl PUT with a wrong body hash status"
assert_file_eq "$(stored bkt/by-curl.bin)" "$data/small.bin"
# A request signed 20 minutes ago.
old_date=$(date -u -d '20 minutes ago' +%Y%m%dT%H%M%SZ)
assert_ok curl_s3 "$S3_SECRET_KEY" -H "x-amz-content-sha256: $EMPTY_SHA256" -H "X-Amz-Date: $old_date" \
  "$S3_ENDPOINT/bkt/small.bin"
assert_contains "$stdout" "<Code>RequestTimeTooSkewed</Code>"
assert_eq "$(tail -1 <<<"$stdout")" 403 "curl old request status"
assert_eq "$(s3rver_request_count)" "$served_before" "requests s3rver answered for refused curl requests"
# A good signature replayed on another key: the path is part of what is signed.
assert_ok curl -sS -v --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
  -H "x-amz-content-sha256: $EMPTY_SHA256" -o /dev/null "$S3_ENDPOINT/bkt/small.bin"
authorization=$(grep -i '^> Authorization:' <<<"$stderr" | sed 's/^> [Aa]uthorization: //' | tr -d '\r')
amz_date=$(grep -i '^> X-Amz-Date:' <<<"$stderr" | sed 's/^> [Xx]-[Aa]mz-[Dd]ate: //' | tr -d '\r')
[[ -n "$authorization" && -n "$amz_date" ]] || fail "no signed headers in curl's trace:"$'\n'"$stderr"
served_before=$(s3rver_request_count)
assert_ok curl -sS -w '\n%{http_code}' -H "Authorization: $authorization" -H "X-Amz-Date: $amz_date" \
  -H "x-amz-content-sha256: $EMPTY_SHA256" "$S3_ENDPOINT/bkt/by-curl.bin"
assert_contains "$stdout" "<Code>SignatureDoesNotMatch</Code>"
# ... and an unsigned x-amz-* header added to a signed request.
assert_ok curl -sS -w '\n%{http_code}' -H "Authorization: $authorization" -H "X-Amz-Date: $amz_date" \
  -H "x-amz-content-sha256: $EMPTY_SHA256" -H "x-amz-meta-added: 1" "$S3_ENDPOINT/bkt/small.bin"
assert_contains "$stdout" "<HeadersNotSigned>x-amz-meta-added</HeadersNotSigned>"
# The same replay on its own key still works (the gate is not refusing everything).
assert_ok curl -sS -w '\n%{http_code}' -o "$data/replayed.down" -H "Authorization: $authorization" \
  -H "X-Amz-Date: $amz_date" -H "x-amz-content-sha256: $EMPTY_SHA256" "$S3_ENDPOINT/bkt/small.bin"
assert_eq "$(tail -1 <<<"$stdout")" 200 "the original signed request"
assert_file_eq "$data/replayed.down" "$data/small.bin"
assert_eq "$(s3rver_request_count)" "$((served_before + 1))" "requests s3rver answered (only the last one)"

pass
