#!/usr/bin/env bash
# https:// remotes: a self-signed server is refused until its CA is given (ca_bundle) or checks
# are off (verify_tls false); custom headers (header_<Name>) and bearer tokens (token) from
# config.local reach the server, and are never printed or committed.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_webdav.sh"

api_key='k3y-S3CRET'
token='t0k3n-S3CRET'
WEBDAV_TLS=1 WEBDAV_REQUIRE_HEADER="X-Api-Key:$api_key" start_nginx_webdav keyed dav
keyed_url=$WEBDAV_URL
keyed_ca=$WEBDAV_CA
keyed_root=$WEBDAV_ROOT
WEBDAV_REQUIRE_HEADER="Authorization:Bearer $token" start_nginx_webdav tokened dav
token_url=$WEBDAV_URL
token_root=$WEBDAV_ROOT

new_repo work
make_seeded_file model.bin 500000 tls
cp model.bin "$TEST_ROOT/model.v1"
assert_ok mlv add model.bin
assert_ok mlv remote add web "$keyed_url" --default
assert_exit 4 mlv config remote.web.header_X-Api-Key "$api_key"
assert_ok mlv config --local remote.web.header_X-Api-Key "$api_key"
assert_ok mlv config remote.web.retries 0
commit_all "model"

# A self-signed certificate is refused: exit 7, naming the URL and the certificate.
assert_exit 7 mlv push
assert_contains "$output" "$keyed_url"
assert_contains "$output" "certificate"
assert_not_contains "$output" "$api_key"

# With its CA, the push goes through.
assert_ok mlv config remote.web.ca_bundle "$keyed_ca"
assert_ok mlv push
assert_not_contains "$output" "$api_key"
assert_exists "$keyed_root/models/mlv-remote.yaml"
assert_not_contains "$(cat .mlv/config)" "$api_key"
commit_all "trust the model server's CA"

# Without the header: the server's 401, clearly, once.
assert_ok mlv config --local --unset remote.web.header_X-Api-Key
git clone -q "$TEST_ROOT/work" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 7 mlv pull
assert_contains "$output" "refused access with no credentials (HTTP 401)"
# With the header, the clone pulls (the committed ca_bundle came with it).
assert_ok mlv config --local remote.web.header_X-Api-Key "$api_key"
assert_ok mlv pull
assert_file_eq model.bin "$TEST_ROOT/model.v1"

# verify_tls false instead of the CA.
git clone -q "$TEST_ROOT/work" "$TEST_ROOT/clone-insecure"
cd "$TEST_ROOT/clone-insecure"
assert_ok mlv config --local remote.web.header_X-Api-Key "$api_key"
assert_ok mlv config remote.web.ca_bundle /nonexistent/ca.pem
assert_exit 7 mlv pull
assert_ok mlv config remote.web.verify_tls false
assert_ok mlv pull
assert_file_eq model.bin "$TEST_ROOT/model.v1"
assert_ok mlv config remote.web.verify_tls maybe
assert_exit 4 mlv pull
assert_contains "$output" "verify_tls"

# A bearer token from config.local.
cd "$TEST_ROOT/work"
assert_ok mlv remote add tok "$token_url"
assert_exit 7 mlv push -r tok
assert_ok mlv config --local remote.tok.token "$token"
assert_ok mlv push -r tok
assert_not_contains "$output" "$token"
assert_exists "$token_root/models/manifests/$(pointer_id model.bin.mlv | cut -c1-2)"

pass
