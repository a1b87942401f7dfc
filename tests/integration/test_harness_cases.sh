#!/usr/bin/env bash
# The integration harness names every failing case of a script in one run, not only the first,
# and a script with a failed check still fails (exit 1, no "ok" line).
source "$(dirname "$0")/lib.sh"

script_dir="$TEST_ROOT/scripts"
mkdir -p "$script_dir"
cat >"$script_dir/test_three_cases.sh" <<SCRIPT
#!/usr/bin/env bash
source "$LIB_DIR/lib.sh"

# First case: holds.
assert_eq "1" "1" "one"

# Second case: a value check fails.
assert_eq "2" "3" "two"

# Third case: a command's exit code check fails,
# after a comment of two lines.
assert_ok false
assert_eq "a" "a"

pass
SCRIPT
cat >"$script_dir/test_all_hold.sh" <<SCRIPT
#!/usr/bin/env bash
source "$LIB_DIR/lib.sh"
# Only case.
assert_ok true
pass
SCRIPT

assert_exit 1 bash "$script_dir/test_three_cases.sh"
assert_contains "$stderr" "test_three_cases: FAIL at line 8: two: expected '3', got '2'"
assert_contains "$stderr" "test_three_cases: FAIL at line 12: 'false' exited 1, expected 0"
assert_contains "$stderr" "test_three_cases: 2 failed check(s) in 2 case(s):"
assert_contains "$stderr" "line 7: Second case: a value check fails."
assert_contains "$stderr" "line 10: Third case: a command's exit code check fails,"
assert_not_contains "$stderr" "First case"
assert_not_contains "$stdout" "ok"

# A command that is not a check still stops the script, and the checks failed before it are named.
cat >"$script_dir/test_stops.sh" <<SCRIPT
#!/usr/bin/env bash
source "$LIB_DIR/lib.sh"
# A failed check.
assert_eq "x" "y"
# Then a set-up step fails.
false
assert_eq "never" "reached"
pass
SCRIPT
assert_exit 1 bash "$script_dir/test_stops.sh"
assert_contains "$stderr" "test_stops: FAIL at line 6 (exit 1): false"
assert_contains "$stderr" "test_stops: 1 failed check(s) in 1 case(s):"
assert_not_contains "$stderr" "never"

assert_ok bash "$script_dir/test_all_hold.sh"
assert_eq "$stdout" "test_all_hold: ok"

pass
