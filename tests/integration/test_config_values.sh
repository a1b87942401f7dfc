#!/usr/bin/env bash
# `mlv config` refuses invalid values and unknown keys (exit 4, naming key, value and what is
# accepted) and writes nothing; a bad value put in a file by hand or in the environment is named
# with its source, and `mlv config --unset` still repairs it.
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file m.bin 1000
assert_ok mlv add m.bin
cp .mlv/config "$TEST_ROOT/config.before"

refused() { # EXPECTED_WORD ARGS...
  local word=$1
  shift
  assert_exit 4 mlv config "$@"
  local key=${*: -2:1} value=${*: -1}
  assert_contains "$output" "$key"
  assert_contains "$output" "$value"
  assert_contains "$output" "$word"
  assert_file_eq .mlv/config "$TEST_ROOT/config.before"
  assert_not_exists .mlv/config.local
}
refused "1 to 256" core.jobs abc
refused "1 to 256" core.jobs 0
refused "1 to 256" core.jobs 257
refused "reflink, hardlink, symlink, copy" cache.type bogus
refused "reflink, hardlink, symlink, copy" cache.type reflink,
refused "core.jobs" core.nosuch 1
refused "block or warn" --local safety.policy allow
refused "whole number of bytes" transfer.pack_size -5
refused "whole number of bytes" transfer.pack_size 0
refused "remote" core.remote a/b
# Every later command still works.
assert_ok mlv status
assert_ok mlv checkout

# Valid values are written and used.
assert_ok mlv config core.jobs 8
assert_ok mlv config cache.type hardlink,copy
assert_ok mlv config transfer.pack_size 100000
assert_ok mlv config --local safety.policy warn
assert_ok mlv config core.jobs
assert_eq "$stdout" 8 "core.jobs"
assert_ok mlv status

# A bad value written by hand names the file and the key; --unset repairs it.
printf 'core:\n  jobs: lots\n' >.mlv/config
assert_exit 4 mlv status
assert_contains "$output" ".mlv/config"
assert_contains "$output" "core.jobs"
assert_contains "$output" "lots"
assert_ok mlv config --unset core.jobs
assert_ok mlv status
# From the environment, the variable is named.
MLV_CORE_JOBS=abc assert_exit 4 mlv status
assert_contains "$output" "MLV_CORE_JOBS"

pass
