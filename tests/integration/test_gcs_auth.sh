#!/usr/bin/env bash
# How a gs:// remote authenticates: a service-account key named by `credentialpath` in
# config.local (refused in the committed config); tokens refreshed during a long push and across
# pushes; a key the server does not know is refused with one clear error (exit 7) that shows no
# key or token material; a given token (option `token`, GOOGLE_OAUTH_ACCESS_TOKEN); no
# credentials at all against an emulator named by STORAGE_EMULATOR_HOST.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_gcs.sh"
unset GOOGLE_APPLICATION_CREDENTIALS GOOGLE_OAUTH_ACCESS_TOKEN STORAGE_EMULATOR_HOST

# Tokens live 2 s; each storage request takes 200 ms, so one push outlasts a token.
start_gcs_server --token-lifetime 2 --delay-ms 200

new_repo work
make_seeded_file models/a.bin 1500000 a
assert_ok mlv add models/a.bin
assert_ok mlv remote add origin gs://mlv-test/auth --default
assert_ok mlv config remote.origin.endpointurl "$GCS_ENDPOINT"
assert_ok mlv config transfer.pack_size 100000
commit_all "a"

# --- credentialpath: a secret, so config.local only ---------------------------------------------
assert_exit 4 mlv config remote.origin.credentialpath "$GCS_KEY_FILE"
assert_contains "$output" "credentialpath"
assert_ok mlv config --local remote.origin.credentialpath "$GCS_KEY_FILE"

# --- a push longer than a token's life refreshes the token before it expires --------------------
assert_ok mlv push -j 1 --json
python3 -c 'import sys; sys.exit(float(sys.argv[1]) < 2.2)' "$(json_get "$stdout" 'd["seconds"]')" ||
  fail "the push took under 2.2 s; it must outlast a 2 s token: $stdout"
[[ $(gcs_stats tokens_issued) -ge 2 ]] || fail "one token served a push longer than its lifetime"
assert_eq "$(gcs_stats requests_refused)" 0 "storage requests refused for an expired token"
# And again after every token has expired.
sleep 2.2
make_seeded_file models/b.bin 300000 b
assert_ok mlv add models/b.bin
commit_all "b"
assert_ok mlv push
assert_eq "$(gcs_stats requests_refused)" 0 "storage requests refused after the expiry"
git clone -q "$TEST_ROOT/work" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv config --local remote.origin.credentialpath "$GCS_KEY_FILE"
assert_ok mlv pull
assert_file_eq models/a.bin "$TEST_ROOT/work/models/a.bin"
assert_file_eq models/b.bin "$TEST_ROOT/work/models/b.bin"

# --- a key signed by another RSA key: one clear error, no key or token material -----------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_ROOT/other.pem" 2>/dev/null
write_gcs_key_file "$TEST_ROOT/other-key.json" "$TEST_ROOT/other.pem" "$GCS_ENDPOINT/token"
assert_ok mlv config --local remote.origin.credentialpath "$TEST_ROOT/other-key.json"
refused_before=$(gcs_stats tokens_refused)
rm models/a.bin
assert_exit 7 mlv pull
assert_line_with "$output" "gs://mlv-test/auth" "Invalid JWT Signature"
assert_contains "$output" "other-key.json"
assert_contains "$output" "$GCS_CLIENT_EMAIL"
for secret in "PRIVATE KEY" "$(sed -n 2p "$TEST_ROOT/other.pem")" "$(sed -n 2p "$GCS_KEY_PEM")" \
  eyJ ya29; do
  assert_not_contains "$output" "$secret" "the error output"
done
assert_eq "$(($(gcs_stats tokens_refused) - refused_before))" 1 "token requests for a refused key"
assert_not_exists models/a.bin

# --- a given token: option token, or GOOGLE_OAUTH_ACCESS_TOKEN; a bad one is named, not shown ----
assert_ok mlv config --local --unset remote.origin.credentialpath
assert_ok mlv config --local remote.origin.token "$(gcs_fetch_token)"
assert_ok mlv pull
assert_file_eq models/a.bin "$TEST_ROOT/work/models/a.bin"
assert_ok mlv config --local --unset remote.origin.token
rm models/a.bin
GOOGLE_OAUTH_ACCESS_TOKEN=ya29.not-a-real-token assert_exit 7 mlv pull
assert_line_with "$output" "gs://mlv-test/auth" "not authenticated"
assert_contains "$output" "GOOGLE_OAUTH_ACCESS_TOKEN"
assert_not_contains "$output" "ya29.not-a-real-token" "the error output"

# --- no credentials: refused with a hint; none needed by an emulator without auth ---------------
assert_exit 7 mlv pull
assert_contains "$output" "not authenticated"
assert_contains "$output" "GOOGLE_APPLICATION_CREDENTIALS"
start_gcs_server --no-auth
assert_ok mlv config --unset remote.origin.endpointurl
export STORAGE_EMULATOR_HOST=${GCS_ENDPOINT#http://}
assert_ok mlv push
cd "$TEST_ROOT/work"
rm models/a.bin models/b.bin
assert_ok mlv pull
assert_sha256 models/a.bin "$(pointer_id models/a.bin.mlv)"
assert_sha256 models/b.bin "$(pointer_id models/b.bin.mlv)"
pass
