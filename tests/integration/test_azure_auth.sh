#!/usr/bin/env bash
# azure:// credentials through Azurite: account_name/account_key in config.local; a container SAS
# in config.local and in AZURE_STORAGE_SAS_TOKEN; a read-only SAS that can pull but not push; a
# wrong key, a missing container and an unreachable endpoint each give one clear error (exit 7)
# naming the remote; no key, SAS or signature ever appears in any output.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_azure.sh"

start_azurite
azure_create_container models
azure_create_container shared
wrong_key=$(printf 'not the account key, but base64 all the same' | base64 -w0)

# Fails when the last command's output holds a secret or a piece of one.
assert_no_secrets() {
  local secret
  for secret in "$AZURITE_KEY" "$wrong_key" "${@}"; do
    assert_not_contains "$output" "$secret" "output"
  done
  [[ ! "$output" =~ sig=[^*] ]] || fail "a SAS signature in the output:"$'\n'"$output"
  assert_not_contains "$output" "SharedKey" "output"
}

# --- account name and key in config.local, the endpoint in the committed config --------------
new_repo origin-repo
make_random_file models/a.bin 400000
assert_ok mlv add models/a.bin
assert_ok mlv remote add origin azure://models --default
assert_ok mlv config remote.origin.endpointurl "$AZURITE_ENDPOINT"
assert_exit 4 mlv config remote.origin.account_key "$AZURITE_KEY"
assert_no_secrets
assert_ok mlv config --local remote.origin.account_name "$AZURITE_ACCOUNT"
assert_ok mlv config --local remote.origin.account_key "$AZURITE_KEY"
commit_all "a"
assert_ok mlv push
assert_no_secrets
git clone -q "$TEST_ROOT/origin-repo" "$TEST_ROOT/clone-key"
cd "$TEST_ROOT/clone-key"
cp "$TEST_ROOT/origin-repo/.mlv/config.local" .mlv/config.local
assert_ok mlv pull
assert_file_eq models/a.bin "$TEST_ROOT/origin-repo/models/a.bin"

# --- a wrong key: one clear error, quickly (a 403 is not retried), nothing secret -------------
assert_ok mlv config --local remote.origin.account_key "$wrong_key"
rm -rf .mlv/cache models/a.bin
started=$SECONDS
assert_exit 7 mlv pull
assert_contains "$output" "azure://models"
assert_contains "$output" "access denied"
assert_contains "$output" "403"
assert_no_secrets
[[ $((SECONDS - started)) -le 5 ]] || fail "a wrong key took $((SECONDS - started)) s to report"

# --- a container SAS (read, add, create, write, delete, list) in config.local -----------------
sas=$(azure_admin sas shared racwdl 60)
sig=$(sed -n 's/.*sig=\([^&]*\).*/\1/p' <<<"$sas")
[[ -n "$sig" ]] || fail "no SAS made: $sas"
new_repo sas-repo
make_random_file models/b.bin 300000
assert_ok mlv add models/b.bin
assert_ok mlv remote add origin azure://shared/sas --default
assert_ok mlv config remote.origin.endpointurl "$AZURITE_ENDPOINT"
assert_exit 4 mlv config remote.origin.sas_token "$sas"
assert_ok mlv config --local remote.origin.sas_token "?$sas"
commit_all "b"
assert_ok mlv push -v
assert_no_secrets "$sig"
assert_line_with "$(azure_admin list shared)" "sas/manifests/"

# --- a read-only SAS from the environment: pull works, push is denied -------------------------
read_only=$(azure_admin sas shared rl 60)
ro_sig=$(sed -n 's/.*sig=\([^&]*\).*/\1/p' <<<"$read_only")
git clone -q "$TEST_ROOT/sas-repo" "$TEST_ROOT/clone-sas"
cd "$TEST_ROOT/clone-sas"
export AZURE_STORAGE_SAS_TOKEN="$read_only"
assert_ok mlv pull -v
assert_no_secrets "$ro_sig"
assert_file_eq models/b.bin "$TEST_ROOT/sas-repo/models/b.bin"
make_random_file models/c.bin 1000
assert_ok mlv add models/c.bin
assert_exit 7 mlv push
assert_contains "$output" "azure://shared/sas"
assert_contains "$output" "the SAS token"
assert_no_secrets "$ro_sig"

# --- an expired SAS: denied, naming the SAS --------------------------------------------------
export AZURE_STORAGE_SAS_TOKEN=$(azure_admin sas shared rl -5)
rm -rf .mlv/cache models/b.bin
assert_exit 7 mlv pull models/b.bin
assert_contains "$output" "the SAS token"
assert_no_secrets "$(sed -n 's/.*sig=\([^&]*\).*/\1/p' <<<"$AZURE_STORAGE_SAS_TOKEN")"
unset AZURE_STORAGE_SAS_TOKEN

# --- a missing container: one error naming it -------------------------------------------------
cd "$TEST_ROOT/origin-repo"
export AZURE_STORAGE_CONNECTION_STRING="$AZURITE_CONNECTION_STRING"
assert_ok mlv remote add nowhere azure://no-such-container/x
assert_exit 7 mlv push -r nowhere
assert_contains "$output" "container 'no-such-container' does not exist"
assert_contains "$output" "ContainerNotFound"
assert_no_secrets

# --- an unreachable endpoint: the engine's transport error, naming the endpoint ---------------
dead_port=$(free_port)
assert_ok mlv remote add dead azure://models
assert_ok mlv config remote.dead.endpointurl "http://127.0.0.1:$dead_port/devstoreaccount1"
assert_ok mlv config remote.dead.retries 1
assert_exit 7 mlv push -r dead
assert_contains "$output" "azure://models"
assert_contains "$output" "127.0.0.1:$dead_port"
assert_no_secrets
# The SAS rides in every request URL; the engine's message about the URL must hide it.
assert_ok mlv config --local remote.dead.sas_token "$sas"
assert_exit 7 mlv push -r dead
assert_contains "$output" "127.0.0.1:$dead_port"
assert_no_secrets "$sig"

# --- malformed URLs and options: exit 4, naming them ------------------------------------------
assert_exit 4 mlv remote add bad azure://Not_A_Container
assert_contains "$output" "Not_A_Container"
unset AZURE_STORAGE_CONNECTION_STRING
assert_ok mlv remote add nokey azure://models
assert_exit 4 mlv push -r nokey
assert_contains "$output" "account_name"

pass
