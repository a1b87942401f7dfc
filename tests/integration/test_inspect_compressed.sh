#!/usr/bin/env bash
# Files compressed by the real libraries (joblib.dump with every compressor this joblib has,
# numpy.savez_compressed, torch.save) are inspected and scanned through Debian's zlib, libbz2,
# liblzma and liblz4: a payload inside an lz4 joblib is found (exit 8), damaged and truncated
# streams are reported naming the file and offset (or exit 4), never a crash, and a decompression bomb is refused (exit 4).
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/files"
cd "$TEST_ROOT/files"

/usr/bin/python3 - <<'PY'
import joblib, numpy, torch
from joblib.compressor import _COMPRESSORS
model = {"weights": numpy.arange(50000, dtype=numpy.float32), "name": "tiny"}
methods = sorted(_COMPRESSORS)
assert {"zlib", "gzip", "bz2", "lzma", "xz", "lz4"} <= set(methods), methods
for method in methods:
    joblib.dump(model, f"model_{method}.joblib", compress=(method, 3))
numpy.savez_compressed("arrays.npz", a=numpy.ones((200, 200)), b=numpy.arange(1000))
torch.save({"w": torch.zeros(100, 100)}, "weights.pt")

class Payload:  # pickled by reference to os.system: never loaded
    def __reduce__(self):
        import os
        return (os.system, ("echo pwned",))
joblib.dump({"model": Payload()}, "payload_lz4.joblib", compress=("lz4", 3))

PY
# A bomb: a pickle holding 1.5 GiB of zeros (BINBYTES8), zstd-compressed ~32000:1.
{
  printf '\x80\x04\x8e\x00\x00\x00\x60\x00\x00\x00\x00'
  head -c $((0x60000000)) /dev/zero
  printf '.'
} | zstd -q -1 -c >bomb.joblib

for method in zlib gzip bz2 lzma xz lz4; do
  assert_ok mlv inspect --json "model_$method.joblib"
  assert_eq "$(json_get "$stdout" 'd["format"]')" joblib "format of model_$method.joblib"
  assert_eq "$(json_get "$stdout" 'd["facts"]["compression"]')" "$method" \
    "compression of model_$method.joblib"
  assert_ok mlv scan "model_$method.joblib"
done
for file in arrays.npz weights.pt; do
  assert_ok mlv inspect "$file"
  assert_ok mlv scan "$file"
done

# The payload behind lz4 is found where it was reported suspicious before.
assert_exit 8 mlv scan --json payload_lz4.joblib
assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" unsafe "verdict of payload_lz4.joblib"
assert_contains "$stdout" "posix.system"

# Damage: exit 4 from inspect naming the file; the scanner never crashes on it.
for method in zlib gzip bz2 xz lz4; do
  size=$(stat -c %s "model_$method.joblib")
  head -c $((size / 2)) "model_$method.joblib" >"cut_$method.joblib"
  # Reported as far as the data goes, or exit 4 naming the file; never a crash.
  run mlv inspect "cut_$method.joblib"
  if ((status != 0)); then
    assert_eq "$status" 4 "exit code of inspect cut_$method.joblib"
    assert_contains "$stderr" "cut_$method.joblib"
  fi
  run mlv scan "cut_$method.joblib"
  ((status == 0 || status == 10)) || fail "scan of cut_$method.joblib exited $status"
  cp "model_$method.joblib" "flipped_$method.joblib"
  flip_byte "flipped_$method.joblib" $((size / 2))
  run mlv inspect "flipped_$method.joblib"
  ((status == 0 || status == 4)) || fail "inspect of flipped_$method.joblib exited $status"
  run mlv scan "flipped_$method.joblib"
  ((status == 0 || status == 10)) || fail "scan of flipped_$method.joblib exited $status"
done

# The bomb: refused with the documented message, and suspicious to the scanner.
assert_exit 4 mlv inspect bomb.joblib
assert_contains "$stderr" "bomb.joblib: refused as a decompression bomb"
assert_contains "$stderr" "more than 20000 times the compressed size"
assert_exit 10 mlv scan bomb.joblib

echo "test_inspect_compressed: ok"
