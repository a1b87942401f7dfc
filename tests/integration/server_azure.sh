# Azurite (the Azure Blob emulator) for the azure:// tests. Source after lib.sh and servers.sh.
# start_azurite runs it on a free 127.0.0.1 port as a background job of the test, and sets:
#   AZURITE_ENDPOINT           http://127.0.0.1:PORT/devstoreaccount1 (path-style account)
#   AZURITE_ACCOUNT/AZURITE_KEY  the development account Microsoft publishes for Azurite
#   AZURITE_CONNECTION_STRING  a connection string for that account at AZURITE_ENDPOINT
# mlv never creates containers: azure_create_container does, as a user would with the az CLI.

AZURITE_ACCOUNT=devstoreaccount1
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
# The tests choose their own credentials: nothing from the caller's environment leaks in.
unset AZURE_STORAGE_CONNECTION_STRING AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY AZURE_STORAGE_SAS_TOKEN

start_azurite() {
  require_node_servers
  local port log="$TEST_ROOT/logs/azurite.log"
  port=$(free_port)
  mkdir -p "$TEST_ROOT/azurite"
  "$NODE_BIN/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" --location "$TEST_ROOT/azurite" \
    --silent --disableTelemetry --skipApiVersionCheck >"$log" 2>&1 &
  wait_for_port "$port" azurite "$log"
  AZURITE_ENDPOINT="http://127.0.0.1:$port/devstoreaccount1"
  AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT;AccountKey=$AZURITE_KEY;BlobEndpoint=$AZURITE_ENDPOINT;"
}

# azure_admin COMMAND ARGS...: see tests/integration/azure_admin.mjs.
azure_admin() {
  node "$LIB_DIR/azure_admin.mjs" "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" "$AZURITE_KEY" "$@"
}

azure_create_container() { azure_admin create-container "$1" || fail "cannot create container $1"; }
