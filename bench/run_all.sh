#!/usr/bin/env bash
# Runs every benchmark in bench/ (see docs/benchmarks.md), prints each one's figures and a
# summary, and exits 1 if any goal was missed. Needs about 6 GB free beside the repository and
# some minutes. Results are also appended to bench/out/results.tsv.
#   MLV=path/to/mlv BENCH_RUNS=5 bash bench/run_all.sh
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCHMARKS=(add_vs_openssl unchanged memory dedup compression scan_throughput decompress_throughput s3_vs_awscli many_files)

summary=()
failures=0
for name in "${BENCHMARKS[@]}"; do
  started=$(date +%s)
  bash "$BENCH_DIR/$name.sh"
  code=$?
  elapsed=$(($(date +%s) - started))
  case $code in
    0) summary+=("$(printf '%-16s all goals met    (%d s)' "$name" "$elapsed")") ;;
    1) summary+=("$(printf '%-16s goal(s) MISSED   (%d s)' "$name" "$elapsed")") ;;
    *) summary+=("$(printf '%-16s ERROR, exit %d  (%d s)' "$name" "$code" "$elapsed")") ;;
  esac
  ((code == 0)) || failures=$((failures + 1))
done

printf '\n== summary (%s)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '   %s\n' "${summary[@]}"
((failures == 0))
