#!/usr/bin/env bash
# `mlv add` of compressed joblib files: the format is judged from the pickle inside (mlv's own
# decompressors), whatever the file is called; a compressed pickle without joblib's arrays and a
# damaged stream fall back to the name; nothing is ever unpickled.
source "$(dirname "$0")/lib.sh"

new_repo repo
mkdir -p models

# joblib.dump(..., compress=...) output, written by Python's own modules, under neutral names.
python3 - "$MLV_FIXTURES/rf_small.joblib" models <<'PY'
import bz2, gzip, lzma, sys, zlib
data = open(sys.argv[1], "rb").read()
out = sys.argv[2]
streams = {
    "zlib": zlib.compress(data, 3),
    "gzip": gzip.compress(data, mtime=0),
    "bz2": bz2.compress(data, 9),
    "xz": lzma.compress(data),
    "lzma": lzma.compress(data, format=lzma.FORMAT_ALONE),
}
for kind, stream in streams.items():
    open(f"{out}/rf_{kind}.bin", "wb").write(stream)
PY
for kind in zlib gzip bz2 xz lzma; do
  assert_ok mlv add "models/rf_$kind.bin"
  assert_yaml "models/rf_$kind.bin.mlv" format joblib
done

# A gzipped plain pickle is joblib's only by a joblib or pickle name.
python3 -c 'import gzip, sys; open(sys.argv[2], "wb").write(gzip.compress(open(sys.argv[1], "rb").read()))' \
  "$MLV_FIXTURES/pipeline_p4.pkl" models/pipeline.bin
cp models/pipeline.bin models/pipeline.pkl.gz
assert_ok mlv add models/pipeline.bin models/pipeline.pkl.gz
assert_yaml models/pipeline.bin.mlv format unknown
assert_yaml models/pipeline.pkl.gz.mlv format joblib

# A cut-off download is added (its bytes are what they are) and called unknown, not a crash.
head -c 100 models/rf_xz.bin > models/cut.bin
assert_ok mlv add models/cut.bin
assert_yaml models/cut.bin.mlv format unknown

pass
