#!/usr/bin/env bash
# A folder remote that does not exist (a relative URL resolved from a clone at another depth) is
# exit 7 naming the folder, with a hint, for fetch, pull, status -r and get: not "missing data"
# (exit 6), not "everything not on remote" (exit 0). And `mlv gc -r` removes what interrupted
# pushes left in the remote's tmp/ once it is older than the grace period.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/shelf"
new_repo shelf/repo
mkdir -p "$TEST_ROOT/shelf/storage"
assert_ok mlv remote add origin ../storage --default
make_random_file m.bin 200000
assert_ok mlv add m.bin
commit_all "v1"
assert_ok mlv push

# A clone one level deeper: ../storage is now $TEST_ROOT/deeper/storage, which does not exist.
mkdir -p "$TEST_ROOT/deeper"
git clone -q "$TEST_ROOT/shelf/repo" "$TEST_ROOT/deeper/clone"
cd "$TEST_ROOT/deeper/clone"
for command in "fetch" "pull" "status -r origin"; do
  assert_exit 7 mlv $command
  assert_contains "$output" "$TEST_ROOT/deeper/storage" "mlv $command names the folder"
  assert_contains "$output" "does not exist" "mlv $command"
  assert_contains "$output" "hint:" "mlv $command"
done
cd "$TEST_ROOT"
assert_exit 7 mlv get "$TEST_ROOT/deeper/clone" m.bin -o "$TEST_ROOT/out.bin"
assert_contains "$output" "does not exist"
assert_not_exists "$TEST_ROOT/out.bin"

# Defect 12: a partial object an interrupted push left in tmp/ goes with gc -r after the grace.
cd "$TEST_ROOT/shelf/repo"
remote_dir="$TEST_ROOT/shelf/storage"
mkdir -p "$remote_dir/tmp"
head -c 4096 /dev/urandom >"$remote_dir/tmp/.0123abcd.tmp-old"
head -c 100 /dev/urandom >"$remote_dir/tmp/.4567ef.tmp-new"
touch -d '2 days ago' "$remote_dir/tmp/.0123abcd.tmp-old"
assert_ok mlv gc -r origin -f --json
assert_eq "$(json_get "$stdout" 'd["temporaries"]')" '["tmp/.0123abcd.tmp-old"]' "temporaries removed"
assert_not_exists "$remote_dir/tmp/.0123abcd.tmp-old"
assert_exists "$remote_dir/tmp/.4567ef.tmp-new"
sleep 1
assert_ok mlv gc -r origin -f --grace 0s
assert_contains "$output" "1 temporary file(s)"
assert_not_exists "$remote_dir/tmp/.4567ef.tmp-new"
# The data itself is untouched.
git clone -q "$TEST_ROOT/shelf/repo" "$TEST_ROOT/shelf/clone2"
cd "$TEST_ROOT/shelf/clone2"
assert_ok mlv pull
assert_file_eq m.bin "$TEST_ROOT/shelf/repo/m.bin"
pass
