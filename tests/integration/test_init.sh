#!/usr/bin/env bash
# `mlv init`: creates .mlv/config and .mlv/.gitignore from any folder of a git work tree, is
# idempotent, and refuses (exit 3, mentioning git) outside a git repository.
source "$(dirname "$0")/lib.sh"

# From the work tree root.
mkdir -p "$TEST_ROOT/repo" && cd "$TEST_ROOT/repo"
git init -q -b main
assert_ok mlv init
assert_exists .mlv/config
assert_exists .mlv/.gitignore
ignore=$(cat .mlv/.gitignore)
for entry in cache state config.local tmp; do
  assert_contains "$ignore" "$entry" ".mlv/.gitignore"
done
# git agrees: the cache and local config are ignored, the config is not.
mkdir -p .mlv/cache && touch .mlv/cache/x .mlv/config.local
git check-ignore -q .mlv/cache/x || fail ".mlv/cache/ is not ignored by git"
git check-ignore -q .mlv/config.local || fail ".mlv/config.local is not ignored by git"
if git check-ignore -q .mlv/config; then fail ".mlv/config must not be ignored"; fi

# Re-running is fine and keeps the config.
echo "# user edit" >>.mlv/config
before=$(cat .mlv/config)
assert_ok mlv init
assert_eq "$(cat .mlv/config)" "$before" ".mlv/config after a second init"

# From a subfolder: initialises the work tree root, not the subfolder.
mkdir -p "$TEST_ROOT/repo2/a/b" && cd "$TEST_ROOT/repo2"
git init -q -b main
cd a/b
assert_ok mlv init
assert_exists "$TEST_ROOT/repo2/.mlv/config"
assert_not_exists "$TEST_ROOT/repo2/a/b/.mlv"
# And commands work from that subfolder afterwards.
assert_ok mlv status

# Outside git: exit 3 with a message that mentions git, and nothing created.
mkdir -p "$TEST_ROOT/plain" && cd "$TEST_ROOT/plain"
assert_exit 3 mlv init
assert_contains "${output,,}" "git"
assert_not_exists "$TEST_ROOT/plain/.mlv"

# A git repository that was never initialised for mlv: commands exit 3.
mkdir -p "$TEST_ROOT/uninit" && cd "$TEST_ROOT/uninit"
git init -q -b main
echo data >f.bin
assert_exit 3 mlv status
assert_exit 3 mlv add f.bin
assert_not_exists f.bin.mlv

# --help works for every command, and globally.
cd "$TEST_ROOT/repo"
assert_ok mlv --help
for cmd in init add status checkout verify remote config push pull fetch get remove gc; do
  assert_ok mlv "$cmd" --help
  [[ -n "$output" ]] || fail "mlv $cmd --help printed nothing"
done
# -q prints nothing on success (before or after the command); -v still succeeds.
make_random_file quiet.bin 1000
assert_ok mlv -q add quiet.bin
assert_eq "$output" "" "output of mlv -q add"
assert_exists quiet.bin.mlv
assert_ok mlv status --quiet
assert_eq "$output" "" "output of mlv status --quiet"
assert_ok mlv -v status
assert_contains "$stdout" "quiet.bin"
# Errors are still reported under -q.
assert_exit 6 bash -c 'rm -rf .mlv/cache && rm quiet.bin && "$MLV" -q checkout quiet.bin'
assert_contains "$output" "quiet.bin"
# An unknown command or option is a usage error.
assert_exit 2 mlv no-such-command
assert_exit 2 mlv status --no-such-option

pass
