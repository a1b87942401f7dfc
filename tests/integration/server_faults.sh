# The fault-injecting proxy (tests/servers/fault_proxy.js) in front of a test server. Source
# after servers.sh. The proxy runs as a background job of the test, so lib.sh's exit trap stops it.
#
# Settings read by start_fault_proxy (environment, optional):
#   FAULT_SEED             seed of the fault sequence (default 1): a failing run replays with it
#   FAULT_MAX_CONSECUTIVE  never more failures in a row than this (default 3)

# start_fault_proxy TARGET_PORT RATE MODES: starts the proxy on a free port in front of
# 127.0.0.1:TARGET_PORT, failing a RATE share (0..1) of requests with MODES (comma-separated:
# 503,429,reset,stall,midbody). Exports PROXY_PORT, PROXY_PID and PROXY_LOG (one line per request:
# "<seq> <fate> <method> <url> <status or -> <ms>").
start_fault_proxy() {
  local target_port=$1 rate=$2 modes=$3
  PROXY_PORT=$(free_port)
  PROXY_LOG="$TEST_ROOT/logs/fault_proxy.$PROXY_PORT.requests"
  local output="$TEST_ROOT/logs/fault_proxy.$PROXY_PORT.log"
  : >"$PROXY_LOG"
  node "$SERVERS_DIR/fault_proxy.js" --port "$PROXY_PORT" --target-port "$target_port" \
    --fail-rate "$rate" --modes "$modes" --seed "${FAULT_SEED:-1}" \
    --max-consecutive "${FAULT_MAX_CONSECUTIVE:-3}" --log "$PROXY_LOG" >"$output" 2>&1 &
  PROXY_PID=$!
  wait_for_port "$PROXY_PORT" "fault proxy" "$output"
  export PROXY_PORT PROXY_PID PROXY_LOG
}

# stop_fault_proxy: stops the proxy and prints its counts line
# ("fault_proxy: requests=N forward=N 503=N 429=N reset=N stall=N midbody=N").
stop_fault_proxy() {
  local output="$TEST_ROOT/logs/fault_proxy.$PROXY_PORT.log"
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  wait "$PROXY_PID" 2>/dev/null || true
  # The line may reach the log a moment after the process is reaped, on a loaded machine.
  for _ in $(seq 50); do
    grep -q '^fault_proxy: requests=' "$output" && break
    sleep 0.1
  done
  grep '^fault_proxy: requests=' "$output" || fail "the fault proxy printed no counts:"$'\n'"$(cat "$output")"
}

# proxy_count FATE [METHOD] [URL_PART]: how many logged requests had this fate ("any" for all),
# method and a URL containing URL_PART.
proxy_count() {
  local fate=$1 method=${2:-} part=${3:-}
  awk -v fate="$fate" -v method="$method" -v part="$part" \
    '(fate == "any" || $2 == fate) && (method == "" || $3 == method) && index($4, part) > 0 { n++ }
     END { print n + 0 }' "$PROXY_LOG"
}
