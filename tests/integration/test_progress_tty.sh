#!/usr/bin/env bash
# add, checkout, status and verify of many files show a progress line on a terminal (files and
# bytes done of the total, rate), on stderr only, and nothing of it when stderr is not a terminal
# or with -q.
# The terminal is a pseudo-terminal from script(1).
source "$(dirname "$0")/lib.sh"

# on_tty OUT CMD...: runs CMD with stdin, stdout and stderr on a pseudo-terminal; OUT gets what it
# wrote there. script(1) from util-linux, else python's pty module.
on_tty() {
  local out=$1
  shift
  if command -v script >/dev/null && [[ -z "${TTY_WITH_PYTHON:-}" ]]; then
    script --quiet --flush --return --command "$(printf '%q ' "$@")" /dev/null </dev/null >"$out"
  else
    /usr/bin/python3 -c 'import os, pty, sys
sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))' "$@" </dev/null >"$out"
  fi
}

new_repo repo
python3 - <<'PY'
import os
os.makedirs("many/deep", exist_ok=True)
for i in range(800):
    with open(f"many/{'deep/' if i % 3 else ''}f{i:04}.bin", "wb") as f:
        f.write(os.urandom(2048 + i))
PY
on_tty "$TEST_ROOT/add.tty" "$MLV" add many || fail "add on a terminal failed: $(cat "$TEST_ROOT/add.tty")"
add_tty=$(tr '\r' '\n' <"$TEST_ROOT/add.tty")
assert_contains "$add_tty" "add: "
assert_line_with "$add_tty" "add: " "/800 files" " of 1.9 MiB" "/s"
assert_contains "$add_tty" "added many"

rm -rf many
on_tty "$TEST_ROOT/checkout.tty" "$MLV" checkout || fail "checkout on a terminal failed"
checkout_tty=$(tr '\r' '\n' <"$TEST_ROOT/checkout.tty")
assert_line_with "$checkout_tty" "checkout: " "/800 files" " of 1.9 MiB" "/s"
assert_contains "$checkout_tty" "1 updated"

# status and verify: the same meter, over the folder's files (status looks at each workspace file;
# verify hashes each file's cache object and its workspace copy: twice the bytes), cleared before
# the result.
on_tty "$TEST_ROOT/status.tty" "$MLV" status || fail "status on a terminal failed"
status_tty=$(tr '\r' '\n' <"$TEST_ROOT/status.tty")
assert_line_with "$status_tty" "status: " "/800 files" " of 1.9 MiB" "/s"
assert_line_with "$status_tty" "many: up to date"
assert_not_contains "$(grep -a 'many: up to date' <<<"$status_tty")" "files," "the result line"
# Files whose stamps changed are hashed again: still metered.
find many -type f -exec touch -d '2001-01-01 00:00' {} +
on_tty "$TEST_ROOT/status2.tty" "$MLV" status || fail "status of touched files on a terminal failed"
assert_line_with "$(tr '\r' '\n' <"$TEST_ROOT/status2.tty")" "status: " "/800 files" " of 1.9 MiB"
on_tty "$TEST_ROOT/verify.tty" "$MLV" verify || fail "verify on a terminal failed"
verify_tty=$(tr '\r' '\n' <"$TEST_ROOT/verify.tty")
assert_line_with "$verify_tty" "verify: " "/800 files" " of 3.7 MiB" "/s"
assert_contains "$verify_tty" "verified 800 cache objects and 800 workspace files"
assert_ok mlv status
assert_eq "$stderr" "" "status's stderr when it is not a terminal"
assert_ok mlv verify
assert_eq "$stderr" "" "verify's stderr when it is not a terminal"
for command in status verify; do
  on_tty "$TEST_ROOT/quiet-$command.tty" "$MLV" -q "$command" || fail "quiet $command failed"
  assert_not_contains "$(cat "$TEST_ROOT/quiet-$command.tty")" "files," "quiet $command"
done

# Not a terminal: no meter. On a terminal with -q: no meter either.
rm -rf many
assert_ok mlv checkout
assert_not_contains "$stderr" "files,"
rm -rf many
on_tty "$TEST_ROOT/quiet.tty" "$MLV" -q checkout || fail "quiet checkout on a terminal failed"
assert_not_contains "$(cat "$TEST_ROOT/quiet.tty")" "files,"
assert_eq "$(find many -type f | wc -l)" "800" "files checked out quietly"

pass
