#!/usr/bin/env bash
# Ctrl-C (SIGINT) or SIGTERM during the checkout of a large file leaves no `.NAME.tmp-*` in the
# workspace and exits 130 (143); a temporary left by a harder kill is swept by the next checkout
# or status, which never touch a user's file that only looks similar.
source "$(dirname "$0")/lib.sh"

SIZE=$((128 * 1024 * 1024))
new_repo repo
make_random_file big.bin "$SIZE"
assert_ok mlv add big.bin
commit_all "big"
# A copy is written through a temporary file (a reflink would be instant).
assert_ok mlv config cache.type copy

# interrupt_checkout SIGNAL: starts a checkout, sends SIGNAL once its temporary exists.
interrupt_checkout() {
  rm -f big.bin
  # A shell starts background jobs with SIGINT ignored; the checkout gets it as from a terminal.
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$MLV" checkout big.bin >/dev/null 2>&1 </dev/null &
  local pid=$! i
  for ((i = 0; i < 2000; i++)); do
    compgen -G '.big.bin.tmp-*' >/dev/null && break
    sleep 0.005
  done
  compgen -G '.big.bin.tmp-*' >/dev/null || fail "the checkout made no temporary file to interrupt"
  kill "-$1" "$pid"
  code=0
  wait "$pid" || code=$?
}

interrupt_checkout INT
assert_eq "$code" 130 "exit status after SIGINT"
compgen -G '.big.bin.tmp-*' >/dev/null && fail "SIGINT left $(ls -a | grep tmp)"
assert_not_exists big.bin
interrupt_checkout TERM
assert_eq "$code" 143 "exit status after SIGTERM"
compgen -G '.big.bin.tmp-*' >/dev/null && fail "SIGTERM left $(ls -a | grep tmp)"

# A temporary left by kill -9 is swept by the next checkout; look-alikes stay.
head -c 1000 /dev/urandom >.big.bin.tmp-0a1b2c3d4e5f
head -c 1000 /dev/urandom >.big.bin.mlv-tmp-12345
echo mine >.big.bin.tmp-notes
echo mine >.other.bin.tmp-0a1b2c3d4e5f
assert_ok mlv checkout big.bin
assert_not_exists .big.bin.tmp-0a1b2c3d4e5f
assert_not_exists .big.bin.mlv-tmp-12345
assert_exists .big.bin.tmp-notes
assert_exists .other.bin.tmp-0a1b2c3d4e5f
assert_ok mlv status big.bin
assert_contains "$stdout" "up to date"
# status sweeps them too (when no other command holds the workspace).
head -c 1000 /dev/urandom >.big.bin.tmp-zz1b2c3d4e5f
assert_ok mlv status big.bin
assert_not_exists .big.bin.tmp-zz1b2c3d4e5f
assert_exists .big.bin.tmp-notes

pass
