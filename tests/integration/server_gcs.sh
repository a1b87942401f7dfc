# The GCS test server (tests/servers/gcs_server.js) for the gs:// remote tests. Source after
# lib.sh and servers.sh.

# start_gcs_server [SERVER FLAGS...]: makes a fresh service account (an RSA key made now with
# openssl, and its JSON key file whose token_uri is this server), starts the server as a
# background job with the bucket "mlv-test", waits for it, and exports
#   GCS_ENDPOINT     http://127.0.0.1:PORT
#   GCS_KEY_FILE     the service account's JSON key file
#   GCS_KEY_PEM      its private key alone
#   GCS_DATA         the server's folder: GCS_DATA/BUCKET/<percent-encoded object name>
#   GCS_LOG          the server's log (one line per request)
# Extra flags go to the server (--token-lifetime S, --page-size N, --no-auth).
start_gcs_server() {
  local port dir
  port=$(free_port)
  dir="$TEST_ROOT/gcs-$port"
  mkdir -p "$dir/data"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/sa-key.pem" 2>/dev/null
  openssl pkey -in "$dir/sa-key.pem" -pubout -out "$dir/sa-pub.pem"
  write_gcs_key_file "$dir/service-account.json" "$dir/sa-key.pem" "http://127.0.0.1:$port/token"
  GCS_LOG="$TEST_ROOT/logs/gcs-$port.log"
  node "$SERVERS_DIR/gcs_server.js" --port "$port" --root "$dir/data" --bucket mlv-test \
    --public-key "$dir/sa-pub.pem" --client-email "$GCS_CLIENT_EMAIL" "$@" >"$GCS_LOG" 2>&1 &
  wait_for_port "$port" "the GCS test server" "$GCS_LOG"
  export GCS_ENDPOINT="http://127.0.0.1:$port" GCS_KEY_FILE="$dir/service-account.json"
  export GCS_DATA="$dir/data" GCS_LOG GCS_KEY_PEM="$dir/sa-key.pem"
}

GCS_CLIENT_EMAIL="mlv-test@mlv-test-project.iam.gserviceaccount.com"

# write_gcs_key_file OUT PRIVATE_KEY_PEM TOKEN_URI: a service-account JSON key file as Google
# issues them.
write_gcs_key_file() {
  python3 - "$1" "$2" "$3" "$GCS_CLIENT_EMAIL" <<'PY'
import json, sys
out, pem, token_uri, email = sys.argv[1:]
with open(pem) as f:
    private_key = f.read()
key = {
    "type": "service_account",
    "project_id": "mlv-test-project",
    "private_key_id": "0123456789abcdef",
    "private_key": private_key,
    "client_email": email,
    "client_id": "100000000000000000000",
    "auth_uri": "http://127.0.0.1/unused",
    "token_uri": token_uri,
}
with open(out, "w") as f:
    json.dump(key, f, indent=2)
PY
  chmod 600 "$1"
}

# gcs_stats FIELD: a counter of the server (tokens_issued, tokens_refused, requests_refused).
gcs_stats() {
  python3 -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/_test/stats"))[sys.argv[2]])' \
    "$GCS_ENDPOINT" "$1"
}

# gcs_object_file NAME: the server's file for object NAME in bucket mlv-test.
gcs_object_file() {
  python3 -c 'import sys, urllib.parse; print(sys.argv[1] + "/mlv-test/" + urllib.parse.quote(sys.argv[2], safe="~()*!.'"'"'"))' \
    "$GCS_DATA" "$1"
}

# gcs_fetch_token: an access token from the server's token endpoint, got the way Google's
# client libraries get one (an RS256 JWT signed here with the openssl command), for the tests of
# a given token.
gcs_fetch_token() {
  local now header claims signature
  now=$(date +%s)
  header=$(printf '{"alg":"RS256","typ":"JWT"}' | base64url)
  claims=$(printf '{"iss":"%s","scope":"https://www.googleapis.com/auth/devstorage.read_write","aud":"%s/token","iat":%d,"exp":%d}' \
    "$GCS_CLIENT_EMAIL" "$GCS_ENDPOINT" "$now" $((now + 600)) | base64url)
  signature=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign "$GCS_KEY_PEM" -binary | base64url)
  python3 -c 'import json, sys, urllib.parse, urllib.request
body = urllib.parse.urlencode({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": sys.argv[2]}).encode()
print(json.load(urllib.request.urlopen(sys.argv[1] + "/token", body))["access_token"])' \
    "$GCS_ENDPOINT" "$header.$claims.$signature"
}

base64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
