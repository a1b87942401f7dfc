#!/usr/bin/env bash
# `mlv gc`: drops cache objects no selected pointer names; workspace pointers always count, and
# by default every branch tip and tag too; --workspace narrows to the work tree, --all-commits
# keeps older versions; --dry-run and an unanswered prompt remove nothing. Temporaries that
# interrupted commands left in the cache's tmp/ go once older than --grace.
# (test_gc_branches.sh: what gc --workspace says about unpushed models of other branches.)
source "$(dirname "$0")/lib.sh"

in_cache() { [[ -f ".mlv/cache/files/${1:0:2}/$1" ]]; }
assert_in_cache() { in_cache "$1" || fail "$2 ($1) was removed from the cache"$'\n'"$(last_output)"; }
assert_not_in_cache() { ! in_cache "$1" || fail "$2 ($1) is still in the cache"$'\n'"$(last_output)"; }

new_repo repo
make_random_file m.bin 300000
assert_ok mlv add m.bin
commit_all "v1"
git tag v1
v1_id=$(pointer_id m.bin.mlv)
make_random_file m.bin 310000
assert_ok mlv add m.bin
commit_all "v2"
v2_id=$(pointer_id m.bin.mlv)
git checkout -q -b side
make_random_file m.bin 320000
assert_ok mlv add m.bin
commit_all "side"
side_id=$(pointer_id m.bin.mlv)
git checkout -q main
assert_ok mlv checkout m.bin
make_random_file ckpt/a.bin 10000
make_random_file ckpt/b.bin 20000
assert_ok mlv add ckpt
a_id=$(sha256_of ckpt/a.bin)
# Added but never committed: the workspace pointer still counts.
make_random_file wip.bin 5000
assert_ok mlv add wip.bin --no-stage
wip_id=$(pointer_id wip.bin.mlv)
all_ids=("$v1_id" "$v2_id" "$side_id" "$wip_id" "$a_id")
# Added, then its pointer deleted: nothing names it any more.
make_random_file orphan.bin 7000
assert_ok mlv add orphan.bin --no-stage
orphan_id=$(pointer_id orphan.bin.mlv)
rm orphan.bin orphan.bin.mlv

# --dry-run lists what would go and removes nothing.
assert_ok mlv gc --dry-run
assert_contains "$output" "$orphan_id"
assert_not_contains "$output" "$v2_id"
for id in "${all_ids[@]}" "$orphan_id"; do assert_in_cache "$id" "an object after --dry-run"; done
# Without -f the prompt reads stdin: EOF and "n" remove nothing.
run mlv gc
assert_contains "$output" "Nothing removed"
for id in "${all_ids[@]}" "$orphan_id"; do assert_in_cache "$id" "an object after an unanswered prompt"; done
printf 'n\n' | mlv gc >/dev/null 2>&1 || true
for id in "${all_ids[@]}" "$orphan_id"; do assert_in_cache "$id" "an object after answering n"; done

# --all-commits keeps everything any commit names.
assert_ok mlv gc --all-commits -f
for id in "${all_ids[@]}"; do assert_in_cache "$id" "an object after gc --all-commits"; done
assert_not_in_cache "$orphan_id" "the object nothing names"

# The default keeps tag v1 and branch side; -w --all-branches drops v1 (only a tag and an old
# commit name it), saying so since no remote holds it.
assert_ok mlv gc --dry-run
assert_not_contains "$output" "$v1_id"
assert_not_contains "$output" "$side_id"
assert_ok mlv gc -w --all-branches --all-tags --dry-run
assert_not_contains "$output" "$v1_id"
assert_ok mlv gc -w --all-branches -f
assert_line_with "$stderr" "m.bin" "tag v1"
assert_not_in_cache "$v1_id" "v1 (named only by an old commit and a tag)"
assert_in_cache "$side_id" "side's version"
assert_in_cache "$v2_id" "the workspace version"
assert_in_cache "$wip_id" "the uncommitted workspace version"
assert_in_cache "$a_id" "a member of the workspace dir"

# Plain gc keeps what only another branch names; once the branch is gone, it goes, and
# answering y to the prompt removes.
assert_ok mlv gc -f
assert_in_cache "$side_id" "side's version after a plain gc"
git branch -q -D side
answer_out=$(printf 'y\n' | mlv gc 2>&1) || fail "gc answered y failed:"$'\n'"$answer_out"
assert_not_in_cache "$side_id" "side's version after its branch was deleted"
for id in "$v2_id" "$wip_id" "$a_id"; do assert_in_cache "$id" "a workspace object"; done

# What is left still verifies and checks out.
rm -rf m.bin ckpt wip.bin
assert_ok mlv checkout
assert_sha256 m.bin "$v2_id"
assert_sha256 ckpt/a.bin "$a_id"
assert_ok mlv verify
# A gc with nothing to remove is fine.
assert_ok mlv gc -f

# What interrupted commands left in the cache's tmp/ (a kill -9 during add, fetch or checkout):
# gc removes what is older than the grace period (--grace, default 24h) and says how many bytes
# that freed; a younger temporary may belong to a running mlv and stays.
tmp=.mlv/cache/tmp
head -c 70000 /dev/urandom >"$tmp/.incoming.tmp-0123456789ab"
head -c 3000 /dev/urandom >"$tmp/.f00d.tmp-ba9876543210"
head -c 5000 /dev/urandom >"$tmp/.incoming.tmp-youngyoung00"
chmod 0444 "$tmp/.incoming.tmp-0123456789ab" # as a StoreBatch leaves its temporaries
touch -d '3 days ago' "$tmp/.incoming.tmp-0123456789ab" "$tmp/.f00d.tmp-ba9876543210"
touch -d '2 hours ago' "$tmp/.incoming.tmp-youngyoung00"
assert_ok mlv gc --dry-run
assert_contains "$stdout" "2 temporary file(s) (71.3 KiB) older than 24h"
assert_contains "$stdout" "temporary tmp/.incoming.tmp-0123456789ab"
assert_contains "$stdout" "temporary tmp/.f00d.tmp-ba9876543210"
assert_not_contains "$stdout" "youngyoung"
assert_eq "$(find "$tmp" -type f | wc -l)" "3" "tmp/ entries after gc --dry-run"
assert_ok mlv gc -f --json
assert_eq "$(json_get "$stdout" "d['temporary_bytes']")" "73000" "gc --json temporary_bytes"
assert_exists "$tmp/.incoming.tmp-youngyoung00"
assert_not_exists "$tmp/.incoming.tmp-0123456789ab"
assert_not_exists "$tmp/.f00d.tmp-ba9876543210"
# A shorter grace period takes the younger one too, and the freed bytes are reported.
assert_ok mlv gc -f --grace 1h
assert_contains "$stdout" "Removed; freed 4.9 KiB."
assert_eq "$(find "$tmp" -mindepth 1 | wc -l)" "0" "tmp/ entries after gc --grace 1h"
assert_exit 2 mlv gc -f --grace soon
# The objects are untouched.
assert_ok mlv verify

pass
