#!/usr/bin/env bash
# Two `mlv add` of different files in one repository at once, and two pushes at once: each either
# succeeds or fails with a clear lock message; nothing is lost (.gitignore entries, staged
# pointers, cache objects) and `mlv verify` passes afterwards.
source "$(dirname "$0")/lib.sh"

# run_pair "CMD1" "CMD2": runs both at once; sets rc1 rc2 out1 out2.
run_pair() {
  set +e
  trap - ERR
  bash -c "$1" >"$TEST_ROOT/p1.out" 2>&1 </dev/null &
  local p1=$!
  bash -c "$2" >"$TEST_ROOT/p2.out" 2>&1 </dev/null &
  local p2=$!
  wait "$p1"
  rc1=$?
  wait "$p2"
  rc2=$?
  set -e
  trap "$ERR_TRAP" ERR
  out1=$(cat "$TEST_ROOT/p1.out")
  out2=$(cat "$TEST_ROOT/p2.out")
}
# A failure is acceptable only as a clear message about a lock (the other command holding it).
check_outcome() { # RC OUTPUT WHAT
  [[ "$1" == 0 ]] && return 0
  [[ "${2,,}" == *lock* || "${2,,}" == *"in progress"* || "${2,,}" == *busy* ]] ||
    fail "$3 failed (exit $1) without a lock message:"$'\n'"$2"
}

new_repo repo
export MLV
for round in 1 2 3; do
  make_random_file "a$round/model.bin" $((12 * 1024 * 1024))
  make_random_file "b$round.bin" $((12 * 1024 * 1024))
  run_pair "cd '$PWD' && \"\$MLV\" add a$round/model.bin" "cd '$PWD' && \"\$MLV\" add b$round.bin"
  check_outcome "$rc1" "$out1" "add a$round/model.bin"
  check_outcome "$rc2" "$out2" "add b$round.bin"
  # Whatever failed on a lock succeeds when run again alone.
  [[ $rc1 == 0 ]] || assert_ok mlv add "a$round/model.bin"
  [[ $rc2 == 0 ]] || assert_ok mlv add "b$round.bin"
  # Nothing lost: both pointers correct and staged, both .gitignore entries present.
  assert_yaml "a$round/model.bin.mlv" sha256 "$(sha256_of "a$round/model.bin")"
  assert_yaml "b$round.bin.mlv" sha256 "$(sha256_of "b$round.bin")"
  staged=$(staged_files)
  grep -qxF "a$round/model.bin.mlv" <<<"$staged" || fail "a$round/model.bin.mlv not staged:"$'\n'"$staged"
  grep -qxF "b$round.bin.mlv" <<<"$staged" || fail "b$round.bin.mlv not staged:"$'\n'"$staged"
  grep -qxF "/model.bin" "a$round/.gitignore" || fail "a$round/.gitignore lacks /model.bin"
  grep -qxF "/b$round.bin" .gitignore || fail ".gitignore lost /b$round.bin:"$'\n'"$(cat .gitignore)"
  for r in $(seq 1 "$round"); do
    grep -qxF "/b$r.bin" .gitignore || fail ".gitignore lost /b$r.bin in round $round"
  done
done
assert_objects_named_by_content .mlv/cache/files
assert_ok mlv verify
commit_all "models"

# Two pushes at once to the same remote.
add_local_remote origin "$TEST_ROOT/store"
git add .mlv/config && git commit -q -m "remote"
run_pair "cd '$PWD' && \"\$MLV\" push" "cd '$PWD' && \"\$MLV\" push"
check_outcome "$rc1" "$out1" "first push"
check_outcome "$rc2" "$out2" "second push"
assert_objects_named_by_content "$TEST_ROOT/store/packs"
[[ $rc1 == 0 || $rc2 == 0 ]] || fail "both concurrent pushes failed:"$'\n'"$out1"$'\n'"$out2"
assert_ok mlv status -r origin --json
assert_eq "$(json_get "$stdout" 'sorted({s for e in d for s in e["status"]})')" '["up_to_date"]' \
  "status -r after two concurrent pushes"
assert_ok mlv verify

# Two pushes from two clones with different new files, at once, to the same remote.
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/c1"
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/c2"
for c in c1 c2; do
  cd "$TEST_ROOT/$c"
  # Separate folders, so that the two histories' .gitignore edits merge cleanly.
  make_random_file "$c/$c.bin" $((8 * 1024 * 1024))
  assert_ok mlv add "$c/$c.bin"
  git commit -q -m "$c"
done
run_pair "cd '$TEST_ROOT/c1' && \"\$MLV\" push" "cd '$TEST_ROOT/c2' && \"\$MLV\" push"
check_outcome "$rc1" "$out1" "push from c1"
check_outcome "$rc2" "$out2" "push from c2"
[[ $rc1 == 0 ]] || (cd "$TEST_ROOT/c1" && assert_ok mlv push)
[[ $rc2 == 0 ]] || (cd "$TEST_ROOT/c2" && assert_ok mlv push)
assert_objects_named_by_content "$TEST_ROOT/store/packs"

# Everyone's data comes back whole in a fresh clone that merges both histories.
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/c3"
cd "$TEST_ROOT/c3"
git pull -q --no-rebase --no-edit "$TEST_ROOT/c1" main
git pull -q --no-rebase --no-edit "$TEST_ROOT/c2" main
assert_ok mlv pull
assert_file_eq c1/c1.bin "$TEST_ROOT/c1/c1/c1.bin"
assert_file_eq c2/c2.bin "$TEST_ROOT/c2/c2/c2.bin"
assert_file_eq b1.bin "$TEST_ROOT/repo/b1.bin"
assert_ok mlv verify

pass
