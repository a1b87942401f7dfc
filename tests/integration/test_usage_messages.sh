#!/usr/bin/env bash
# What a mistyped command line gets: an unknown command is named, with the commands a typo away
# and a pointer at --help, exit 2; `mlv get --help` names its positionals REPO and PATH.
source "$(dirname "$0")/lib.sh"

assert_exit 2 mlv frobnicate
assert_contains "$stderr" "unknown command 'frobnicate'"
assert_contains "$stderr" "mlv --help"
assert_not_contains "$output" "A subcommand is required"
assert_not_contains "$output" "did you mean" # nothing is close to it

assert_exit 2 mlv chekout
assert_contains "$stderr" "unknown command 'chekout'; did you mean 'checkout'?"
assert_exit 2 mlv -q pusj
assert_contains "$stderr" "did you mean 'push' or 'pull'?"
# Inside a command group, the group is named and its own --help is the pointer.
assert_exit 2 mlv remote ad origin /tmp/x
assert_contains "$stderr" "unknown command 'remote ad'; did you mean 'add'?"
assert_contains "$stderr" "mlv remote --help"
# Known commands still parse, options before them included.
assert_ok mlv --version
assert_ok mlv -q --help

assert_ok mlv get --help
assert_contains "$stdout" "[REPO] [PATH]"
assert_not_contains "$stdout" "repo_and_path"
assert_not_contains "$stdout" "(0x)"
assert_line_with "$stdout" "PATH" "tracked path"

pass
