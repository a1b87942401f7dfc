#!/usr/bin/env bash
# The examples in examples/ are tutorials; they must keep working as written.
source "$(dirname "$0")/lib.sh"

examples_dir=$(cd "$LIB_DIR/../../examples" && pwd)
for example in team-workflow ci-pinned-model savedmodel-directory; do
  run env MLV="$MLV" bash "$examples_dir/$example.sh"
  if [[ $status -ne 0 ]]; then
    echo "$output" >&2
    fail "examples/$example.sh exited $status"
  fi
done
assert_contains "$output" "directory model restored byte for byte"

echo "$TEST_NAME: ok"
