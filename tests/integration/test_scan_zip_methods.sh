#!/usr/bin/env bash
# Zip members compressed with bzip2 (method 12) and LZMA (method 14), which Python's zipfile and
# so numpy.load read, are decompressed by the scanner and inspect (libbz2, liblzma's raw LZMA1
# decoder behind zip's LZMA header): a benign .npz is clean, a pickled object array calling
# os.system is unsafe, and truncated or damaged members are named, never cleared.
# Every payload is built with Python and never loaded.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/files"
cd "$TEST_ROOT/files"

/usr/bin/python3 - <<'PY'
import io, os, struct, zipfile
import numpy

class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))

def npy(array):
    out = io.BytesIO()
    numpy.lib.format.write_array(out, array, allow_pickle=True)
    return out.getvalue()

benign = npy(numpy.arange(20000, dtype=numpy.float32))
evil = npy(numpy.array([Evil()], dtype=object))
methods = {"bzip2": zipfile.ZIP_BZIP2, "lzma": zipfile.ZIP_LZMA}
for name, method in methods.items():
    with zipfile.ZipFile(f"benign_{name}.npz", "w", compression=method) as z:
        z.writestr("weights.npy", benign)
        z.writestr("bias.npy", npy(numpy.zeros(3, dtype=numpy.float64)))
    with zipfile.ZipFile(f"objects_{name}.npz", "w", compression=method) as z:
        z.writestr("weights.npy", benign)
        z.writestr("objects.npy", evil)
    # A benign object array: its pickle is read to its end, so damage in it is seen (a numeric
    # array's data is not code, and the scanner does not read it).
    with zipfile.ZipFile(f"pickled_{name}.npz", "w", compression=method) as z:
        z.writestr("labels.npy", npy(numpy.array([{"label": i} for i in range(4000)], dtype=object)))

# numpy.load reads what zipfile wrote: these are members a loader opens.
for name in methods:
    with numpy.load(f"benign_{name}.npz") as arrays:
        assert arrays["weights"].shape == (20000,), name

def write_zip(path, info, data):
    """One member `info` whose compressed bytes are `data`, with sizes and offsets to match."""
    name = info.filename.encode()
    fields = struct.pack("<HHHHHIII", 20, info.flag_bits, info.compress_type, 0, 0, info.CRC,
                         len(data), info.file_size)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = (b"PK\x01\x02" + struct.pack("<H", 20) + fields +
               struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central),
                                          len(local) + len(data), 0)
    open(path, "wb").write(local + data + central + end)

for name in methods:
    with zipfile.ZipFile(f"pickled_{name}.npz") as z:
        info = z.infolist()[0]
        raw = open(f"pickled_{name}.npz", "rb").read()
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        data = bytearray(raw[start:start + info.compress_size])
    write_zip(f"rewritten_{name}.npz", info, bytes(data))  # the writer itself is sound
    # Damaged: bytes in the middle of the compressed data overwritten.
    damaged = bytearray(data)
    damaged[len(data) // 2:len(data) // 2 + 16] = b"\x55" * 16
    write_zip(f"damaged_{name}.npz", info, bytes(damaged))
    # Truncated: the member's compressed data ends at a third.
    write_zip(f"truncated_{name}.npz", info, bytes(data[:len(data) // 3]))
PY
# zipfile writes zip's LZMA header (version, 5 property bytes) before the raw LZMA1 data; a
# properties size other than LZMA1's 5 is refused as zipfile refuses it.
/usr/bin/python3 - <<'PY'
data = bytearray(open("pickled_lzma.npz", "rb").read())
start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")
assert data[start + 2:start + 4] == b"\x05\x00"
data[start + 2:start + 4] = b"\x07\x00"
open("bad_properties_lzma.npz", "wb").write(data)
PY

for method in bzip2 lzma; do
  # Benign: clean, and inspect reads the arrays' headers through the decompressor.
  assert_ok mlv scan --json "benign_$method.npz"
  assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" clean "verdict of benign_$method.npz"
  assert_ok mlv inspect --json "benign_$method.npz"
  assert_eq "$(json_get "$stdout" 'd["format"]')" numpy "format of benign_$method.npz"
  assert_eq "$(json_get "$stdout" 'd["facts"]["compressed_arrays"]')" 2 \
    "compressed arrays of benign_$method.npz"
  assert_eq "$(json_get "$stdout" 'd["facts"]["elements"]')" 20003 "elements of benign_$method.npz"
  for file in pickled rewritten; do
    assert_ok mlv scan --json "${file}_$method.npz"
    assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" clean "verdict of ${file}_$method.npz"
  done

  # A pickled object array whose loading calls os.system: unsafe, inside the decompressed member.
  assert_exit 8 mlv scan --json "objects_$method.npz"
  assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" unsafe "verdict of objects_$method.npz"
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["callable"]')" posix.system
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["container"]')" "zip, $method > npy > pickle"

  # Damaged and truncated members: not cleared, and the reason names the member and the fault.
  for kind in damaged truncated; do
    assert_exit 10 mlv scan --json "${kind}_$method.npz"
    assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" suspicious "verdict of ${kind}_$method.npz"
    assert_contains "$(json_get "$stdout" 'd[0]["findings"][0]["reason"]')" "could not read"
  done
  assert_contains "$(json_get "$stdout" 'd[0]["findings"][0]["reason"]')" "truncated"
done
assert_exit 10 mlv scan --json bad_properties_lzma.npz
assert_contains "$(json_get "$stdout" 'd[0]["findings"][0]["reason"]')" "LZMA properties of 7 bytes"

pass
