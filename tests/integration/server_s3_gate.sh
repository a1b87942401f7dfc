# s3rver behind sigv4_gate.js, a proxy that verifies every request's AWS Signature Version 4
# (s3rver 3.7.1 itself checks only the access key id of a V4 request, so a signing bug would go
# unnoticed against it alone). Source after lib.sh and servers.sh.
#
# start_s3rver_with_sigv4_gate BUCKET...: starts s3rver (fresh data folder, the given buckets) and
# the gate in front of it, both on free ports of 127.0.0.1 as background jobs of the test (lib.sh's
# exit trap stops them), waits until both accept connections, and exports:
#   S3_ENDPOINT       http://127.0.0.1:PORT of the gate: what clients must use
#   S3_PORT           the gate's port
#   S3_STORE_DIR      s3rver's data folder (BUCKET/KEY._S3rver_object holds an object's bytes)
#   S3_GATE_LOG       the gate's log: one line per request, "METHOD PATH VERDICT STATUS", where
#                     VERDICT is "forwarded" or the error code the gate refused it with
#   S3_LOG            s3rver's own log (one "info: ... STATUS TIME SIZE" line per request it answered)
#   S3RVER_PORT       s3rver's port (only the gate should talk to it)
#   S3_ACCESS_KEY, S3_SECRET_KEY   the only key pair the gate and s3rver accept (S3RVER/S3RVER)
#   AWS_EC2_METADATA_DISABLED      so the aws cli never looks for instance credentials
# A signed payload (x-amz-content-sha256 other than UNSIGNED-PAYLOAD) is held by the gate until its
# hash is checked; bodies past 16 MiB are held in $TEST_ROOT/sigv4-gate-spool.
start_s3rver_with_sigv4_gate() {
  require_node_servers
  S3RVER_PORT=$(free_port)
  S3_PORT=$(free_port)
  while [[ "$S3_PORT" == "$S3RVER_PORT" ]]; do S3_PORT=$(free_port); done
  S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
  S3_ACCESS_KEY=S3RVER
  S3_SECRET_KEY=S3RVER
  S3_STORE_DIR="$TEST_ROOT/s3rver-data"
  S3_LOG="$TEST_ROOT/logs/s3rver.log"
  S3_GATE_LOG="$TEST_ROOT/logs/sigv4-gate.log"
  local gate_out="$TEST_ROOT/logs/sigv4-gate.out" spool="$TEST_ROOT/sigv4-gate-spool" bucket
  local args=(--directory "$S3_STORE_DIR" --address 127.0.0.1 --port "$S3RVER_PORT")
  for bucket in "$@"; do args+=(--configure-bucket "$bucket"); done
  mkdir -p "$S3_STORE_DIR" "$spool"
  : >"$S3_GATE_LOG"
  # s3rver makes ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 only has in
  # its legacy provider: without it every truncated listing is an InternalError.
  NODE_OPTIONS=--openssl-legacy-provider "$NODE_BIN/s3rver" "${args[@]}" >"$S3_LOG" 2>&1 &
  node "$SERVERS_DIR/sigv4_gate.js" --port "$S3_PORT" --target-port "$S3RVER_PORT" \
    --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" \
    --log "$S3_GATE_LOG" --spool-dir "$spool" >"$gate_out" 2>&1 &
  wait_for_port "$S3RVER_PORT" s3rver "$S3_LOG"
  wait_for_port "$S3_PORT" sigv4_gate "$gate_out"
  export S3_PORT S3_ENDPOINT S3_STORE_DIR S3_GATE_LOG S3_LOG S3RVER_PORT S3_ACCESS_KEY S3_SECRET_KEY
  export AWS_EC2_METADATA_DISABLED=true
}

# How many requests s3rver has answered so far (the gate forwards only verified ones). s3rver
# logs a request as its answer finishes, so this waits until two reads 0.1 s apart agree.
s3rver_request_count() {
  local count previous=-1 i
  for ((i = 0; i < 50; i++)); do
    count=$(grep -cE ' [0-9]{3} [0-9.]+m?s ' "$S3_LOG" || true)
    [[ "$count" == "$previous" ]] && break
    previous=$count
    sleep 0.1
  done
  echo "$count"
}
