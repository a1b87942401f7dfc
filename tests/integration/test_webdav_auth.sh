#!/usr/bin/env bash
# An http:// remote behind basic auth: the password lives in .mlv/config.local (the committed
# config refuses it); push and pull work with it; a wrong or missing password is one clear
# error (exit 7) that never prints the password; user-info in the URL works and is redacted.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_webdav.sh"

password='s3cret-Pa55'
start_nginx_webdav vault dav alice "$password"

new_repo work
make_seeded_file model.bin 700000 auth
cp model.bin "$TEST_ROOT/model.v1"
assert_ok mlv add model.bin
assert_ok mlv remote add web "$WEBDAV_URL" --default
assert_ok mlv config remote.web.user alice
assert_exit 4 mlv config remote.web.password "$password"
assert_not_contains "$(cat .mlv/config)" "$password"
commit_all "model"

# No password yet: the server's refusal, clearly, once.
assert_exit 7 mlv push
assert_contains "$output" "refused access with user 'alice' and no password (HTTP 401)"
assert_contains "$output" "config --local"

# A wrong password: exit 7, says the credentials were rejected, prints no password.
assert_ok mlv config --local remote.web.password wrong-Pa55
assert_exit 7 mlv push
assert_contains "$output" "refused access with user 'alice' and a password (HTTP 401)"
assert_contains "$output" "$WEBDAV_URL"
assert_not_contains "$output" "wrong-Pa55"
assert_eq "$(grep -c ' 401 ' "$NGINX_ACCESS_LOG")" 2 "401 answers in the server's log (no retries)"

# The right one, from config.local.
assert_ok mlv config --local remote.web.password "$password"
assert_ok mlv push
assert_not_contains "$output" "$password"
assert_exists "$WEBDAV_ROOT/models/manifests/$(pointer_id model.bin.mlv | cut -c1-2)"

# A clone pulls once it has the password too.
git clone -q "$TEST_ROOT/work" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 7 mlv pull
assert_not_exists model.bin
assert_ok mlv config --local remote.web.password "$password"
assert_ok mlv pull
assert_file_eq model.bin "$TEST_ROOT/model.v1"

# User-info in the URL (here from the environment, so never committed) works, and is redacted
# wherever the URL is shown. Fresh clones, so the pulls really ask the server.
hostpath=${WEBDAV_URL#http://}
git clone -q "$TEST_ROOT/work" "$TEST_ROOT/clone-url"
cd "$TEST_ROOT/clone-url"
MLV_REMOTE_WEB_URL="http://alice:$password@$hostpath" run mlv pull
assert_eq "$status" 0 "pull with the password in the URL"$'\n'"$(last_output)"
assert_not_contains "$output" "$password"
assert_file_eq model.bin "$TEST_ROOT/model.v1"
git clone -q "$TEST_ROOT/work" "$TEST_ROOT/clone-bad-url"
cd "$TEST_ROOT/clone-bad-url"
MLV_REMOTE_WEB_URL="http://alice:bad-Pa55@$hostpath" run mlv pull
assert_eq "$status" 7 "pull with a wrong password in the URL"$'\n'"$(last_output)"
assert_contains "$output" "alice:***@"
assert_not_contains "$output" "bad-Pa55"
assert_not_exists model.bin

pass
