#!/usr/bin/env bash
# kill -9 in the middle of `mlv add` of a ~300 MB file, of `mlv push` and of `mlv pull`, at several
# moments: no object under a content-addressed name has wrong content (cache and remote), no
# pointer names content it does not have, no partial data file appears under its final name, and
# re-running the command succeeds and `mlv verify` passes.
source "$(dirname "$0")/lib.sh"

SIZE=$((300 * 1024 * 1024))
# Seconds after the start; measured on 2 cores: add ~0.6 s, push ~2.3 s, pull ~3.2 s for 300 MB.
ADD_DELAYS=(0.02 0.1 0.25 0.4)
PUSH_DELAYS=(0.1 0.6 1.2 1.9)
PULL_DELAYS=(0.2 1.0 1.8 2.6)

# kill_after DELAY CMD...: starts CMD in the background, SIGKILLs it after DELAY seconds, and
# counts in $interrupted the runs that were really cut short (still running when killed).
interrupted=0
kill_after() {
  local delay=$1
  shift
  "$@" >/dev/null 2>&1 </dev/null &
  local pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then interrupted=$((interrupted + 1)); fi
  wait "$pid" 2>/dev/null || true
}
# Without at least one real interruption the phase proved nothing.
require_interrupted() { # WHAT
  [[ -z "${KILL_DEBUG:-}" ]] || echo "$1: $interrupted run(s) interrupted" >&2
  ((interrupted > 0)) || fail "no $1 was still running when killed: the delays are too long"
  interrupted=0
}

# A pointer, if present, names the file's real content.
check_pointer_honest() { # POINTER DATA_ID
  [[ -e "$1" ]] || return 0
  local id
  id=$(yaml_get "$1" sha256) || fail "$1 left by a killed add is malformed:"$'\n'"$(cat "$1")"
  assert_eq "$id" "$2" "sha256 in $1 after a killed add"
}

new_repo repo
make_random_file big.bin "$SIZE"
big_id=$(sha256_of big.bin)
make_random_file small.bin 100000
assert_ok mlv add small.bin
commit_all "small"

# --- add ---
for delay in "${ADD_DELAYS[@]}"; do
  # Start each attempt from scratch, so that every delay cuts into real work.
  rm -f big.bin.mlv
  chmod -R u+w .mlv/cache/files 2>/dev/null || true
  rm -f ".mlv/cache/files/${big_id:0:2}/$big_id"
  kill_after "$delay" "$MLV" add big.bin
  assert_objects_named_by_content .mlv/cache/files
  check_pointer_honest big.bin.mlv "$big_id"
  assert_sha256 big.bin "$big_id"
  # The repository stays usable (no stale lock, no broken state database).
  assert_ok mlv status small.bin
done
require_interrupted "mlv add"
assert_ok mlv add big.bin
assert_yaml big.bin.mlv sha256 "$big_id"
assert_sha256 ".mlv/cache/files/${big_id:0:2}/$big_id" "$big_id"
assert_ok mlv verify
commit_all "big"

# --- push ---
add_local_remote origin "$TEST_ROOT/store"
git add .mlv/config && git commit -q -m "remote"
for delay in "${PUSH_DELAYS[@]}"; do
  kill_after "$delay" "$MLV" push
  assert_objects_named_by_content "$TEST_ROOT/store/packs"
  assert_objects_named_by_content .mlv/cache/files
done
require_interrupted "mlv push"
assert_ok mlv push
assert_objects_named_by_content "$TEST_ROOT/store/packs"
assert_exists "$TEST_ROOT/store/manifests/${big_id:0:2}/$big_id"
assert_ok mlv verify
assert_ok mlv status -r origin --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status -r after the completed push"

# --- pull in a clone: the data file is never there with partial content ---
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
for delay in "${PULL_DELAYS[@]}"; do
  kill_after "$delay" "$MLV" pull
  assert_objects_named_by_content .mlv/cache/files
  [[ ! -e big.bin ]] || assert_sha256 big.bin "$big_id"
  rm -f big.bin # so that each later pull has the checkout to do again
done
require_interrupted "mlv pull"
assert_ok mlv pull
assert_sha256 big.bin "$big_id"
assert_file_eq small.bin "$TEST_ROOT/repo/small.bin"
assert_ok mlv verify

pass
