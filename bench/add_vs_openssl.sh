#!/usr/bin/env bash
# `mlv add` of a fresh 1 GiB random file against one `openssl dgst -sha256` over the same file.
# mlv reads the file once to hash it while the kernel copies it into the cache (chunking waits
# for the first push), so the goal is to cost at most 1.5 times a plain SHA-256 pass. Both start from a warm
# page cache (dropping caches needs privileges a benchmark should not use). Each mlv run uses a
# new repository, so the file is always new to it; the median of BENCH_RUNS runs is reported.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

SIZE=${BENCH_SIZE:-$GIB}
GOAL_RATIO=1.5
runs=${BENCH_RUNS}

section "mlv add of a fresh $((SIZE / MIB)) MiB random file vs openssl dgst -sha256 (median of $runs)"
make_random_file "$WORK/model.bin" "$SIZE"
warm "$WORK/model.bin"

openssl_seconds=$(median_seconds_of openssl dgst -sha256 "$WORK/model.bin")
info "openssl dgst -sha256: ${openssl_seconds} s"

add_times=()
for ((run = 0; run < runs; run++)); do
  (
    new_repo "$WORK/repo"
    mkdir -p models
    mv "$WORK/model.bin" models/model.bin
    warm models/model.bin
    seconds_of mlv add models/model.bin >"$WORK/seconds"
    mv models/model.bin "$WORK/model.bin"
  )
  add_times+=("$(cat "$WORK/seconds")")
  chmod -R u+w "$WORK/repo" && rm -rf "$WORK/repo"
done
add_seconds=$(median "${add_times[@]}")
info "mlv add:              ${add_seconds} s   (runs: ${add_times[*]})"
info "throughput: mlv $(awk -v s="$SIZE" -v t="$add_seconds" 'BEGIN { printf "%.0f", s / t / 1048576 }') MiB/s," \
  "openssl $(awk -v s="$SIZE" -v t="$openssl_seconds" 'BEGIN { printf "%.0f", s / t / 1048576 }') MiB/s"

check "add time / openssl dgst time" "$(ratio "$add_seconds" "$openssl_seconds")" "$GOAL_RATIO" x \
  "mlv ${add_seconds} s, openssl ${openssl_seconds} s"
finish
