#!/usr/bin/env bash
# `mlv scan` of a ~1 GiB joblib file (a pickle of NumpyArrayWrappers, each followed inline by its
# array's bytes, as joblib >= 1.2 lays them out) and a ~1 GiB PyTorch zip (data.pkl naming stored
# tensor records data/0..), against `openssl dgst -sha256` over the same file in the same run.
# The scanner decodes every pickle opcode but steps over raw array and tensor bytes, so the goal
# is at least 500 MB/s on each. A third file, a ~40 MB pickle of a million small dicts, has no
# bytes to step over: every byte is an opcode the scanner decodes (goal: at least 60 MB/s). The
# files are made with Python's standard library only; the page cache is warm for every command.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

SIZE=${BENCH_SIZE:-$GIB}
GOAL_MB_PER_S=500
GOAL_DENSE_MB_PER_S=60
ARRAYS=16

section "mlv scan of ~$((SIZE / MIB)) MiB joblib and PyTorch files vs openssl dgst -sha256" \
  "(median of $BENCH_RUNS)"

python3 - "$WORK" "$SIZE" "$ARRAYS" <<'EOF'
import os, struct, sys, zipfile

work, size, arrays = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
items = size // arrays // 8  # float64 items per array
block = os.urandom(1 << 20)

def text(s):  # SHORT_BINUNICODE
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b

def write_array_bytes(f, n):
    while n > 0:
        step = min(n, len(block))
        f.write(block[:step])
        n -= step

# joblib: {"layerN": array, ...}; after each wrapper's BUILD a padding byte, padding, the data.
wrapper = (text("joblib.numpy_pickle") + text("NumpyArrayWrapper") + b"\x93)\x81}(" +
           text("subclass") + text("numpy") + text("ndarray") + b"\x93" +
           text("shape") + b"J" + struct.pack("<i", items) + b"\x85" + text("order") + text("C") +
           text("dtype") + text("numpy") + text("dtype") + b"\x93" + text("f8") + b"\x89\x88\x87R" +
           b"(K\x03" + text("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb" +
           text("allow_mmap") + b"\x88" + text("numpy_array_alignment_bytes") + b"K\x10" + b"ub")
with open(os.path.join(work, "model.joblib"), "wb") as f:
    f.write(b"\x80\x04}(")
    for i in range(arrays):
        f.write(text(f"layer{i}") + wrapper)
        padding = 16 - (f.tell() + 1) % 16
        f.write(bytes([padding]) + b"\xff" * padding)
        write_array_bytes(f, items * 8)
    f.write(b"u.")

# PyTorch: an OrderedDict of tensors rebuilt from storages named by persistent ids, as
# torch.save writes data.pkl (protocol 2), and one stored record per storage.
pickle = b"\x80\x02ccollections\nOrderedDict\n)R("
for i in range(arrays):
    pickle += (text(f"layer{i}.weight") + b"ctorch._utils\n_rebuild_tensor_v2\n(" +
               b"(" + text("storage") + b"ctorch\nFloatStorage\n" + text(str(i)) + text("cpu") +
               b"J" + struct.pack("<i", items * 2) + b"tQ" + b"K\x00J" + struct.pack("<i", items * 2) +
               b"\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR")
pickle += b"u."
with zipfile.ZipFile(os.path.join(work, "model.pt"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("model/data.pkl", pickle)
    for i in range(arrays):
        with z.open(f"model/data/{i}", "w", force_zip64=True) as record:
            write_array_bytes(record, items * 8)
    z.writestr("model/version", "3\n")

# Opcode-dense: a million records, as a training log or a tokenizer's vocabulary pickles them.
import pickle as pickle_module
records = [{"id": i, "token": f"tok{i}", "weight": i * 0.5, "tags": ("a", i % 7)}
           for i in range(1_000_000)]
with open(os.path.join(work, "records.pkl"), "wb") as f:
    pickle_module.dump(records, f, protocol=4)
EOF

for file in model.joblib model.pt records.pkl; do
  goal=$GOAL_MB_PER_S
  [[ "$file" == records.pkl ]] && goal=$GOAL_DENSE_MB_PER_S
  path="$WORK/$file"
  bytes=$(stat -c %s "$path")
  warm "$path"
  run_quietly mlv scan --json "$path"
  verdict=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["verdict"])' \
    "$WORK/last-output")
  [[ "$verdict" == clean ]] || {
    echo "$BENCH_NAME: $file scanned as $verdict, expected clean" >&2
    sed 's/^/  | /' "$WORK/last-output" >&2
    exit 2
  }
  scan_seconds=$(median_seconds_of mlv scan "$path")
  openssl_seconds=$(median_seconds_of openssl dgst -sha256 "$path")
  mb_per_s=$(awk -v b="$bytes" -v t="$scan_seconds" 'BEGIN { printf "%.0f", b / t / 1e6 }')
  openssl_mb_per_s=$(awk -v b="$bytes" -v t="$openssl_seconds" 'BEGIN { printf "%.0f", b / t / 1e6 }')
  info "$file ($((bytes / MIB)) MiB): mlv scan ${scan_seconds} s = ${mb_per_s} MB/s;" \
    "openssl dgst ${openssl_seconds} s = ${openssl_mb_per_s} MB/s;" \
    "scan / openssl time $(ratio "$scan_seconds" "$openssl_seconds")"
  # check() passes when value <= goal: the scan's seconds against what the goal's MB/s allows.
  check "$file: scan seconds (goal: >= $goal MB/s)" "$scan_seconds" \
    "$(awk -v b="$bytes" -v r="$goal" 'BEGIN { printf "%.4f", b / r / 1e6 }')" s \
    "${mb_per_s} MB/s; openssl dgst ${openssl_seconds} s"
done
finish
