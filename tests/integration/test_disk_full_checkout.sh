#!/usr/bin/env bash
# A checkout into a full workspace filesystem (the cache elsewhere, with room): the error names
# the workspace folder whose filesystem is full, not the cache's, and leaves neither a partial
# file nor a temporary behind. The workspace is a 4 MiB tmpfs in a private mount namespace.
if [[ -z "${MLV_DISK_FULL_NAMESPACE:-}" ]]; then
  MLV_DISK_FULL_NAMESPACE=1 exec unshare --map-root-user --mount bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

WS=$TEST_ROOT/ws
mkdir -p "$WS"
mount -t tmpfs -o size=4m tmpfs "$WS"
# The mount must go before lib.sh removes the temp root (the status of the test is kept).
trap 'code=$?; umount -l "$WS" 2>/dev/null; (exit $code); cleanup_test_root' EXIT

cd "$WS"
git init -q -b main
mlv init >/dev/null
mlv config --local cache.dir "$TEST_ROOT/cache" >/dev/null
mlv config --local cache.type copy >/dev/null
make_random_file models/m.bin 1500000
id=$(sha256_of models/m.bin)
assert_ok mlv add models/m.bin
rm models/m.bin
# Fill the workspace's filesystem, leaving less room than the model needs.
free_kib=$(df --output=avail -k "$WS" | tail -1)
head -c $(((free_kib - 600) * 1024)) /dev/zero >"$WS/filler"

assert_exit 1 mlv checkout models/m.bin
assert_contains "$stderr" "No space left on device"
assert_contains "$stderr" "the filesystem holding $WS/models is full"
assert_not_contains "$stderr" "cache's filesystem"
assert_not_exists models/m.bin
leftovers=$(find "$WS/models" -name '.*tmp*')
assert_eq "$leftovers" "" "temporary files left in the workspace"

# With room again, the same checkout works.
rm "$WS/filler"
assert_ok mlv checkout models/m.bin
assert_sha256 models/m.bin "$id"

pass
