#!/usr/bin/env bash
# `mlv remote add|list|remove|modify|default` and `mlv config`: plain, relative and file:// URLs,
# the default marker, --local, --unset, unknown sections and secrets in the committed config.
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file m.bin 50000
assert_ok mlv add m.bin
commit_all "m"

# add/list with --default.
mkdir -p "$TEST_ROOT/store1"
assert_ok mlv remote add origin "$TEST_ROOT/store1" --default
assert_ok mlv remote list
assert_line_with "$stdout" "origin" "$TEST_ROOT/store1" "(default)"
# A second remote with a relative path (relative to the repository root).
assert_ok mlv remote add backup ../store2
assert_ok mlv remote list
assert_line_with "$stdout" "backup" "store2"
backup_line=$(grep -F backup <<<"$stdout")
assert_not_contains "$backup_line" "(default)"
# A third with a file:// URL.
mkdir -p "$TEST_ROOT/store3"
assert_ok mlv remote add third "file://$TEST_ROOT/store3"
assert_ok mlv remote list
assert_line_with "$stdout" "third" "file://$TEST_ROOT/store3"
assert_eq "$(grep -c '(default)' <<<"$stdout")" 1 "number of default markers"
# The remotes live in the committed config.
assert_contains "$(cat .mlv/config)" "store1"

# A duplicate name is refused and changes nothing.
run mlv remote add origin /elsewhere
[[ "$status" != 0 ]] || fail "adding a second remote named origin succeeded"
assert_ok mlv remote list
assert_not_contains "$stdout" "/elsewhere"

# Push with the default, by name (relative path from a subfolder), and to file://.
assert_ok mlv push
assert_exists "$TEST_ROOT/store1/mlv-remote.yaml"
mkdir -p sub && cd sub
assert_ok mlv push -r backup
cd ..
assert_exists "$TEST_ROOT/store2/mlv-remote.yaml"
assert_not_exists sub/store2
assert_ok mlv push -r third
assert_exists "$TEST_ROOT/store3/mlv-remote.yaml"
id=$(pointer_id m.bin.mlv)
for store in store1 store2 store3; do
  assert_exists "$TEST_ROOT/$store/manifests/${id:0:2}/$id"
done

# default NAME moves the marker.
assert_ok mlv remote default backup
assert_ok mlv remote list
assert_line_with "$stdout" "backup" "(default)"
origin_line=$(grep -F "origin" <<<"$stdout")
assert_not_contains "$origin_line" "(default)"

# modify NAME url VALUE.
mkdir -p "$TEST_ROOT/store4"
assert_ok mlv remote modify origin url "$TEST_ROOT/store4"
assert_ok mlv remote list
assert_line_with "$stdout" "origin" "$TEST_ROOT/store4"
assert_ok mlv push -r origin
assert_exists "$TEST_ROOT/store4/manifests/${id:0:2}/$id"

# remove NAME.
assert_ok mlv remote remove third
assert_ok mlv remote list
assert_not_contains "$stdout" "third"
run mlv remote remove third
[[ "$status" != 0 ]] || fail "removing an unknown remote succeeded"
assert_contains "$output" "third"
run mlv push -r third
[[ "$status" != 0 ]] || fail "push to a removed remote succeeded"

# config get/set/unset.
assert_ok mlv config cache.type copy
assert_ok mlv config cache.type
assert_eq "$stdout" "copy" "config get"
assert_ok mlv config cache.type --unset
run mlv config cache.type
[[ "$status" != 0 || "$stdout" != "copy" ]] || fail "cache.type still 'copy' after --unset"
# --local goes to the git-ignored config.local.
assert_ok mlv config --local cache.type hardlink
assert_contains "$(cat .mlv/config.local)" "hardlink"
assert_not_contains "$(cat .mlv/config)" "hardlink"
assert_ok mlv config cache.type
assert_eq "$stdout" "hardlink" "config get of a --local value"
assert_ok mlv config --local cache.type --unset

# Unknown section: 4.
assert_exit 4 mlv config nosuchsection.key value
assert_contains "$output" "nosuchsection"
assert_exit 4 mlv config nosuchsection.key
# A secret may not go to the committed config: 4; with --local it is accepted.
assert_exit 4 mlv config remote.origin.password hunter2secret
assert_not_contains "$(cat .mlv/config)" "hunter2secret"
assert_ok mlv config --local remote.origin.password hunter2secret
assert_contains "$(cat .mlv/config.local)" "hunter2secret"
assert_not_contains "$(cat .mlv/config)" "hunter2secret"
git check-ignore -q .mlv/config.local || fail ".mlv/config.local is not git-ignored"
# Secrets are not echoed by list.
assert_ok mlv remote list
assert_not_contains "$output" "hunter2secret"
# A malformed committed config is bad input (4), naming the file.
cp .mlv/config "$TEST_ROOT/config.good"
printf 'this: is: not: [valid\n' >.mlv/config
assert_exit 4 mlv status
assert_contains "$output" "config"
cp "$TEST_ROOT/config.good" .mlv/config
assert_ok mlv status

pass
