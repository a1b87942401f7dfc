#!/usr/bin/env bash
# What mlv costs when nothing changed. An unchanged file is recognised from the state database
# (path, inode, size, mtime) without reading it, so `mlv add` and `mlv status` of a tracked,
# unchanged 1 GiB file must each take at most 0.1 s; the reference is the cost of re-hashing it
# (openssl dgst -sha256, warm page cache). And `mlv status` of a repository with 1,000 tracked
# small files must take at most 0.5 s; the reference is `git status` in the same repository.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

SIZE=${BENCH_SIZE:-$GIB}
SMALL_FILES=1000
SMALL_SIZE=4096
GOAL_UNCHANGED_SECONDS=0.1
GOAL_STATUS_SECONDS=0.5

section "unchanged $((SIZE / MIB)) MiB file: mlv add and mlv status (median of $BENCH_RUNS)"
new_repo "$WORK/big"
mkdir -p models
make_random_file models/model.bin "$SIZE"
mlv -q add models/model.bin
git commit -q -m "Add model"
warm models/model.bin

rehash_seconds=$(median_seconds_of openssl dgst -sha256 models/model.bin)
add_seconds=$(median_seconds_of mlv add models/model.bin)
status_seconds=$(median_seconds_of mlv status)
[[ -z "$(git status --porcelain)" ]] || info "note: git sees changes after the unchanged add"
info "openssl dgst -sha256 (re-hash): ${rehash_seconds} s"
info "mlv add (unchanged):            ${add_seconds} s"
info "mlv status:                     ${status_seconds} s"
check "mlv add, unchanged $((SIZE / MIB)) MiB file" "$add_seconds" "$GOAL_UNCHANGED_SECONDS" s \
  "ratio to re-hash $(ratio "$add_seconds" "$rehash_seconds")"
check "mlv status, unchanged $((SIZE / MIB)) MiB file" "$status_seconds" "$GOAL_UNCHANGED_SECONDS" s \
  "ratio to re-hash $(ratio "$status_seconds" "$rehash_seconds")"

section "mlv status with $SMALL_FILES tracked small files vs git status (median of $BENCH_RUNS)"
new_repo "$WORK/many"
mkdir -p models/parts
python3 - "$SMALL_FILES" "$SMALL_SIZE" <<'PY'
import random, sys
count, size = int(sys.argv[1]), int(sys.argv[2])
generator = random.Random(1000)
for index in range(count):
    with open(f"models/parts/part{index:04d}.bin", "wb") as out:
        out.write(generator.randbytes(size))
PY
mlv -q add models/parts/part*.bin
git commit -q -m "Add $SMALL_FILES parts"
tracked=$(find models/parts -name '*.mlv' | wc -l)
[[ "$tracked" == "$SMALL_FILES" ]] || {
  echo "$BENCH_NAME: expected $SMALL_FILES pointer files, found $tracked" >&2
  exit 2
}

git_seconds=$(median_seconds_of git status)
status_seconds=$(median_seconds_of mlv status)
info "git status: ${git_seconds} s"
info "mlv status: ${status_seconds} s"
check "mlv status, $SMALL_FILES tracked files" "$status_seconds" "$GOAL_STATUS_SECONDS" s \
  "ratio to git status $(ratio "$status_seconds" "$git_seconds")"
finish
