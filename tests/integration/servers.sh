# Starting and stopping the servers that network-remote tests talk to, on 127.0.0.1 only.
# Source after lib.sh. A server runs as a background job of the test, so lib.sh's exit trap
# stops it whatever happens; each writes its log under $TEST_ROOT/logs for failure messages.

SERVERS_DIR=$(cd "$LIB_DIR/../servers" && pwd)
NODE_BIN="$SERVERS_DIR/node_modules/.bin"
mkdir -p "$TEST_ROOT/logs"

# Prints a TCP port that nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_port PORT NAME LOG: waits up to 30 s for 127.0.0.1:PORT to accept connections.
wait_for_port() {
  local port=$1 name=$2 log=$3 i
  for ((i = 0; i < 300; i++)); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  fail "$name did not start on 127.0.0.1:$port; its log:"$'\n'"$(tail -40 "$log" 2>/dev/null)"
}

# require_node_servers: the npm packages setup.sh installs (`npm ci` in tests/servers).
require_node_servers() {
  [[ -x "$NODE_BIN/s3rver" && -x "$NODE_BIN/azurite-blob" ]] ||
    fail "the test servers are not installed: run ./setup.sh test (it runs npm ci in tests/servers)"
}
