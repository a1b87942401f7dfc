#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets (docs/fuzzing.md) into a folder, one subfolder per
# target: the real model files of ../shared/fixtures/models, plus small files derived from them
# or written by /usr/bin/python3 for formats without a fixture (GGUF, safetensors), compressed
# streams for the codec target, and pointer, manifest and pack-index texts in their documented
# formats. Nothing is downloaded.
#
#   fuzz/make_seeds.sh OUT_DIR [FIXTURES_DIR]
set -euo pipefail

out=${1:?usage: fuzz/make_seeds.sh OUT_DIR [FIXTURES_DIR]}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=${2:-${MLV_FIXTURES:-$repo/../shared/fixtures/models}}
[[ -d $fixtures ]] || {
  echo "make_seeds.sh: no fixtures folder at $fixtures" >&2
  echo "  hint: put shared/fixtures/models beside the checkout, or pass its path" >&2
  exit 1
}
fixtures=$(cd "$fixtures" && pwd)

targets=(pickle zip hdf5 numpy gguf safetensors onnx codec pointer manifest pack_index)
for target in "${targets[@]}"; do
  rm -rf "${out:?}/$target"
  mkdir -p "$out/$target"
done

copy() { # TARGET FILE...
  local target=$1
  shift
  cp "$@" "$out/$target/"
}
copy pickle "$fixtures"/*.pkl "$fixtures"/*.joblib "$fixtures/mlp_state_dict_legacy.pt"
copy zip "$fixtures/mlp_state_dict.pt" "$fixtures/weights.npz"
copy hdf5 "$fixtures/weights.h5"
copy numpy "$fixtures/weights.npy" "$fixtures/weights.npz"
copy onnx "$fixtures/mlp.onnx"

/usr/bin/python3 - "$out" "$fixtures" <<'PY'
import bz2, gzip, io, json, lzma, os, struct, sys, zipfile, zlib, hashlib
out, fixtures = sys.argv[1], sys.argv[2]

def write(target, name, data):
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

# The pickles inside PyTorch's zip, on their own.
with zipfile.ZipFile(os.path.join(fixtures, "mlp_state_dict.pt")) as archive:
    for name in archive.namelist():
        if name.endswith(".pkl"):
            write("pickle", "pt_" + os.path.basename(name), archive.read(name))

# safetensors: 8-byte little-endian header length, JSON header, tensor bytes.
def safetensors(tensors, metadata):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data
write("safetensors", "two.safetensors", safetensors(
    {"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)), "b": ("I64", [2], struct.pack("<2q", 5, 6))},
    {"format": "pt"}))
write("safetensors", "empty.safetensors", safetensors({}, None))

# GGUF version 3: header, metadata key/values, tensor infos, aligned tensor data.
def gstr(s):
    s = s.encode()
    return struct.pack("<Q", len(s)) + s
def gguf():
    kvs = [
        gstr("general.architecture") + struct.pack("<I", 8) + gstr("llama"),
        gstr("general.alignment") + struct.pack("<I", 4) + struct.pack("<I", 32),
        gstr("llama.context_length") + struct.pack("<I", 10) + struct.pack("<Q", 2048),
        gstr("tokenizer.ggml.tokens") + struct.pack("<I", 9) + struct.pack("<IQ", 8, 2) + gstr("a") + gstr("b"),
        gstr("general.score") + struct.pack("<I", 6) + struct.pack("<f", 0.5),
    ]
    tensors = [gstr("tok.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 2) + struct.pack("<IQ", 0, 0),
               gstr("out.q") + struct.pack("<I", 1) + struct.pack("<Q", 32) + struct.pack("<IQ", 8, 32)]
    body = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs) + b"".join(tensors)
    body += b"\0" * (-len(body) % 32)
    return body + b"\1" * 64
write("gguf", "small.gguf", gguf())

# The codec target's first byte picks the codec (fuzz/fuzz_codec.cpp): zlib 0, gzip 1, bz2 2,
# xz 3, lzma 4, lz4 5, zstd 6, joblib-zfile 7, none 8, zip bzip2 member 9, zip LZMA member 10,
# raw deflate 11.
plain = open(os.path.join(fixtures, "pipeline_p4.pkl"), "rb").read()
streams = {
    "zlib": (0, zlib.compress(plain)),
    "gzip": (1, gzip.compress(plain)),
    "bz2": (2, bz2.compress(plain)),
    "xz": (3, lzma.compress(plain, format=lzma.FORMAT_XZ)),
    "lzma": (4, lzma.compress(plain, format=lzma.FORMAT_ALONE)),
    "zfile": (7, b"ZF" + hex(len(plain)).encode().ljust(19) + zlib.compress(plain)),
    "none": (8, plain),
}
raw = zlib.compressobj(6, zlib.DEFLATED, -15)
streams["deflate"] = (11, raw.compress(plain) + raw.flush())
streams["zip_bzip2"] = (9, bz2.compress(plain))
# A zip LZMA member as Python's zipfile writes one: version 9.4, properties size, properties,
# raw LZMA1 data with an end marker.
lzma1 = {"id": lzma.FILTER_LZMA1}
properties = lzma._encode_filter_properties(lzma1)
raw_lzma = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[lzma._decode_filter_properties(
    lzma.FILTER_LZMA1, properties)])
streams["zip_lzma"] = (10, struct.pack("<BBH", 9, 4, len(properties)) + properties +
                       raw_lzma.compress(plain) + raw_lzma.flush())
try:
    import lz4.frame
    streams["lz4"] = (5, lz4.frame.compress(plain))
except ImportError:
    pass
for name, (selector, data) in streams.items():
    write("codec", name, bytes([selector]) + data)

# Pointer files as `mlv add` writes them (docs/formats.md).
sha = hashlib.sha256(plain).hexdigest()
write("pointer", "file.mlv", f"""# mlv pointer: the data lives in the mlv cache and remotes; see docs/formats.md
version: 1
path: rf_small.joblib
kind: file
sha256: {sha}
size: {len(plain)}
format: joblib
summary:
  classes: [sklearn.pipeline.Pipeline]
meta:
  metrics:
    accuracy: 0.93
  params:
    trees: 8
safety:
  verdict: clean
""".encode())
write("pointer", "dir.mlv", f"""version: 1
path: models/run
kind: dir
sha256: {sha}
size: 10
files: 2
""".encode())

# Manifests (docs/formats.md, "Manifest"): local, remote, and remote with compressed chunks.
ids = [hashlib.sha256(bytes([i])).hexdigest() for i in range(3)]
head = "id {}\nsize {}\nchunker fastcdc min=16384 avg=65536 max=262144 gear=mlv-gear-v1\nchunks {}\n"
write("manifest", "local", ("mlv-manifest 1\n" + head.format(sha, 300, 3) +
      "".join(f"{i} 100 - -\n" for i in ids)).encode())
write("manifest", "remote", ("mlv-manifest 1\n" + head.format(sha, 300, 3) +
      "".join(f"{c} 100 {sha} {n * 100}\n" for n, c in enumerate(ids))).encode())
write("manifest", "remote_v2", ("mlv-manifest 2\n" + head.format(sha, 300, 3) +
      f"{ids[0]} 100 {sha} 0\n{ids[1]} 100 {sha} 100 40 zstd\n{ids[2]} 100 {sha} 140 60 zstd-bg4\n").encode())

# Pack index + footer (docs/formats-pack-remote.md), versions 1 and 2; the target rewrites the
# footer's checksum itself.
def pack_tail(version, entries):
    index = b""
    for chunk, offset, length, stored, encoding in entries:
        index += bytes.fromhex(chunk) + struct.pack("<QI", offset, length)
        if version >= 2:
            index += struct.pack("<IB", stored, encoding)
    footer = b"MLVPACK1" + struct.pack("<IIQQ", version, len(entries), 300, len(index))
    return index + footer + hashlib.sha256(index).digest()
write("pack_index", "v1", pack_tail(1, [(ids[0], 0, 100, 0, 0), (ids[1], 100, 200, 0, 0)]))
write("pack_index", "v2", pack_tail(2, [(ids[0], 0, 100, 100, 0), (ids[1], 100, 150, 60, 1),
                                        (ids[2], 160, 140, 100, 3)]))
PY

# zstd's own tool, as the test suite uses it.
if command -v zstd >/dev/null; then
  { printf '\6'; zstd -q -c "$fixtures/pipeline_p4.pkl"; } >"$out/codec/zstd"
fi
echo "make_seeds.sh: seeds in $out: $(find "$out" -type f | wc -l) files for ${#targets[@]} targets"
