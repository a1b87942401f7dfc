#!/usr/bin/env bash
# Inspect and scan of a zlib-compressed joblib file (float32 normal(0, 0.02): trained-like weights)
# against `gzip -dc`-class decompression (Python's zlib) of the same file, in one run.
# Goal (issue 10): >= 200 MB/s of compressed input for inspect and for scan.
#   MLV=build/mlv bench/decompress_throughput.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
MLV=${MLV:-build/mlv}
size_mib=${1:-1024}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$dir/model.joblib" "$size_mib" <<'PY'
import sys, numpy, joblib
n = int(sys.argv[2]) * (1 << 20) // 4
weights = numpy.random.default_rng(1).normal(0, 0.02, n).astype(numpy.float32)
joblib.dump({"weights": weights}, sys.argv[1], compress=("zlib", 3))
PY
bytes=$(stat -c %s "$dir/model.joblib")
rate() { # SECONDS -> MB/s of compressed input
  python3 -c "print(f'{$bytes / $1 / 1e6:.0f}')"
}
seconds() { # COMMAND... -> wall seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
cat "$dir/model.joblib" >/dev/null # warm the page cache
t_inspect=$(seconds "$MLV" inspect "$dir/model.joblib")
t_scan=$(seconds "$MLV" scan "$dir/model.joblib")
t_python=$(seconds /usr/bin/python3 -c "
import zlib, sys
d = zlib.decompressobj()
with open(sys.argv[1], 'rb') as f:
    while chunk := f.read(1 << 20):
        d.decompress(chunk)
" "$dir/model.joblib")
printf 'compressed file: %d bytes\n' "$bytes"
printf 'mlv inspect:        %6.2f s  %s MB/s\n' "$t_inspect" "$(rate "$t_inspect")"
printf 'mlv scan:           %6.2f s  %s MB/s\n' "$t_scan" "$(rate "$t_scan")"
printf 'python zlib -dc:    %6.2f s  %s MB/s\n' "$t_python" "$(rate "$t_python")"
# The goal, against the compressed input rate: exit 1 when missed.
missed=0
for measured in "inspect $t_inspect" "scan $t_scan"; do
  read -r what secs <<<"$measured"
  if python3 -c "import sys; sys.exit(0 if $bytes / $secs / 1e6 >= 200 else 1)"; then
    printf 'mlv %s: goal >= 200 MB/s PASS\n' "$what"
  else
    printf 'mlv %s: goal >= 200 MB/s FAIL\n' "$what"
    missed=1
  fi
done
exit "$missed"
