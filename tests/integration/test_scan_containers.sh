#!/usr/bin/env bash
# `mlv scan` inside containers, all built here with Python's standard library (never loaded):
# joblib files compressed every way joblib compresses (zlib, gzip, bz2, xz, lzma), PyTorch-style
# zips with deflated members, a zip whose central directory misleads, .npz object arrays, and a
# legacy PyTorch tar.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_ROOT/files"
cd "$TEST_ROOT/files"

python3 - "$MLV_FIXTURES/rf_small.joblib" <<'EOF'
import bz2, gzip, io, lzma, os, pickle, struct, sys, tarfile, zipfile, zlib

class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))

payload = pickle.dumps(Evil(), protocol=2)

# A real joblib file (its arrays inline), and the same with a payload after its last array:
# the root is popped, os.system is called, and that is what load() returns.
joblib = open(sys.argv[1], "rb").read()
assert joblib.endswith(b".")
evil_joblib = joblib[:-1] + b"0cposix\nsystem\n(Vecho pwned\ntR."
open("payload_offset", "w").write(str(len(evil_joblib) - 2))
compressors = {
    "zlib": zlib.compress,
    "gzip": gzip.compress,
    "bz2": bz2.compress,
    "xz": lambda b: lzma.compress(b, format=lzma.FORMAT_XZ),
    "lzma": lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE),
}
for name, compress in compressors.items():
    open(f"rf_{name}.joblib", "wb").write(compress(joblib))
    open(f"evil_{name}.joblib", "wb").write(compress(evil_joblib))

# PyTorch-style zip: deflated data.pkl holding the payload; stored raw tensor records.
with zipfile.ZipFile("evil_torch.pt", "w") as z:
    z.writestr("archive/data.pkl", payload, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("archive/data/0", b"\x00" * 64)
    z.writestr("archive/version", "3\n")

# A member named like tensor data that holds a pickle, and a central directory that renames it.
with zipfile.ZipFile("renamed.zip", "w") as z:
    z.writestr("model/config.json", "{}")
    z.writestr("model/weights.bin", payload)
data = bytearray(open("renamed.zip", "rb").read())
central = data.rindex(b"model/weights.bin")  # the central directory's copy of the name
data[central:central + len("model/weights.bin")] = b"model/readme.txt!"
open("misleading.zip", "wb").write(bytes(data))

# numpy.savez of an object array, without numpy: a .npy v1.0 header, then the pickle.
header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload
with zipfile.ZipFile("objects.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("weights.npy", npy)

# torch.save's oldest format: a tar of sys_info, pickle, storages and tensors.
def add(tar, name, content):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))

with tarfile.open("legacy.tar.pt", "w", format=tarfile.PAX_FORMAT) as tar:
    add(tar, "sys_info", pickle.dumps({"little_endian": True}, protocol=2))
    add(tar, "pickle", payload)
    add(tar, "storages", pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2))
    add(tar, "tensors", pickle.dumps(0, protocol=2))
EOF

# Compressed joblib files: the benign ones are clean and read to their end; the payload after
# the arrays is found, at its offset in the decompressed stream.
for compression in zlib gzip bz2 xz lzma; do
  assert_ok mlv scan --json "rf_$compression.joblib"
  assert_eq "$(json_get "$stdout" 'd[0]["verdict"]')" clean "rf_$compression.joblib"
  assert_eq "$(json_get "$stdout" 'd[0]["notes"]')" "[]" "notes on rf_$compression.joblib"
  assert_exit 8 mlv scan --json "evil_$compression.joblib"
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["callable"]')" posix.system
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["container"]')" "$compression > pickle"
  assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["offset"]')" "$(cat payload_offset)"
done

assert_exit 8 mlv scan --json evil_torch.pt
assert_eq "$(json_get "$stdout" '[(f["member"], f["container"]) for f in d[0]["findings"]]')" \
  '[["archive/data.pkl", "zip, deflated > pickle"]]'

assert_exit 8 mlv scan --json misleading.zip
assert_eq "$(json_get "$stdout" '[f["member"] for f in d[0]["findings"]]')" \
  '["model/readme.txt! (also named model/weights.bin)"]'

assert_exit 8 mlv scan --json objects.npz
assert_eq "$(json_get "$stdout" 'd[0]["findings"][0]["container"]')" "zip, deflated > npy > pickle"

assert_exit 8 mlv scan --json legacy.tar.pt
assert_eq "$(json_get "$stdout" '[(f["member"], f["callable"]) for f in d[0]["findings"]]')" \
  '[["pickle", "posix.system"]]'

pass
