#!/usr/bin/env bash
# An http:// (WebDAV) remote behind the fault proxy, which answers 503 to a share of requests:
# push and pull complete with the exact bytes, and their --json summaries count the retries
# and every request sent (the engine's own counts, not one per object).
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_webdav.sh"
source "$LIB_DIR/server_faults.sh"

start_nginx_webdav faulty dav
server_port=${WEBDAV_URL#*127.0.0.1:}
server_port=${server_port%%/*}
start_fault_proxy "$server_port" 0.3 503

new_repo origin-repo
make_seeded_file models/net.bin 3000000 v1
cp models/net.bin "$TEST_ROOT/net.v1"
assert_ok mlv add models/net.bin
assert_ok mlv remote add origin "${WEBDAV_URL/127.0.0.1:$server_port/127.0.0.1:$PROXY_PORT}" --default
mlv remote modify origin retries 8 >/dev/null
commit_all "model"

assert_ok mlv push --json
push_stats=$stdout
[[ $(json_get "$push_stats" 'd["retries"]') -gt 0 ]] || fail "push reports no retries: $push_stats"
(($(proxy_count 503) > 0)) || fail "the proxy failed no request during the push"
[[ $(json_get "$push_stats" 'd["requests"]') -ge $(proxy_count any) ]] ||
  fail "push counts fewer requests than the server saw ($(proxy_count any)): $push_stats"

git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull --json
[[ $(json_get "$stdout" 'd["retries"]') -gt 0 ]] || fail "pull reports no retries: $stdout"
assert_file_eq models/net.bin "$TEST_ROOT/net.v1"
stop_fault_proxy >/dev/null

pass
