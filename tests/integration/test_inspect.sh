#!/usr/bin/env bash
# `mlv inspect`: what each format records, for people and as JSON, on the real fixtures and on
# safetensors, GGUF and SavedModel files written here from their specifications; a pointer
# inspects its workspace data, else its cache object; `mlv add` keeps a short summary in the
# pointer; damaged headers are exit 4 naming the file.
source "$(dirname "$0")/lib.sh"

cd "$TEST_ROOT"

# --- the real fixtures, outside any repository ------------------------------------------------

assert_ok mlv inspect "$MLV_FIXTURES/mlp.onnx"
assert_line_with "$stdout" "format" "onnx"
assert_line_with "$stdout" "opsets" "ai.onnx 13"
assert_line_with "$stdout" "producer" "pytorch"
assert_line_with "$stdout" "x" "float" "[1, 16]"
assert_line_with "$stdout" "logits" "float" "[1, 4]"
# The format comes first.
[[ "$(head -n1 <<<"$stdout")" == format* ]] || fail "first line is not the format:"$'\n'"$stdout"

assert_ok mlv inspect --json "$MLV_FIXTURES/mlp.onnx"
assert_eq "$(json_get "$stdout" 'd["format"]')" onnx
assert_eq "$(json_get "$stdout" 'd["facts"]["opsets"]')" '["ai.onnx 13"]'
assert_eq "$(json_get "$stdout" 'd["inputs"][0]["name"]')" x
assert_eq "$(json_get "$stdout" 'd["outputs"][0]["name"]')" logits
assert_eq "$(json_get "$stdout" 'd["source"]')" path

assert_ok mlv inspect "$MLV_FIXTURES/weights.npy"
assert_line_with "$stdout" "dtype" "<f4"
assert_line_with "$stdout" "shape" "[32, 32]"

# Every fixture gives one JSON document with its detected format.
for pair in mlp.onnx:onnx weights.npy:numpy weights.npz:numpy mlp_state_dict.pt:pytorch \
  mlp_state_dict_legacy.pt:pytorch rf_small.joblib:joblib rf_small_zlib3.joblib:joblib \
  pipeline_p4.pkl:pickle pipeline_p0.pkl:pickle weights.h5:hdf5 xgb_model.json:unknown; do
  assert_ok mlv inspect --json "$MLV_FIXTURES/${pair%%:*}"
  assert_eq "$(json_get "$stdout" 'd["format"]')" "${pair##*:}" "format of ${pair%%:*}"
done
assert_ok mlv inspect --json "$MLV_FIXTURES/mlp_state_dict.pt"
assert_eq "$(json_get "$stdout" 'd["facts"]["archive"]')" mlp_state_dict
assert_eq "$(json_get "$stdout" 'd["facts"]["tensor_records"]')" 4
# Class names come from a static walk of data.pkl: a state dict is an OrderedDict.
assert_eq "$(json_get "$stdout" 'd["classes"]')" '["collections.OrderedDict"]'
assert_ok mlv inspect --json "$MLV_FIXTURES/rf_small_zlib3.joblib"
assert_eq "$(json_get "$stdout" 'd["classes"]')" '["sklearn.ensemble._forest.RandomForestClassifier"]'
assert_eq "$(json_get "$stdout" 'd["facts"]["compression"]')" zlib
[[ $(json_get "$stdout" 'len(d["arrays"])') -gt 10 ]] || fail "joblib arrays not listed: $stdout"

# numpy.savez_compressed deflates each member: the array headers are still read (an .npz is
# written here as numpy does, with Python's zipfile, without numpy).
python3 - <<'PY'
import struct, zipfile
def npy(descr, shape, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data
with zipfile.ZipFile("packed.npz", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("w.npy", npy("<f4", "(64, 32)", bytes(64 * 32 * 4)))
    z.writestr("b.npy", npy("<i8", "(10,)", bytes(80)))
PY
assert_ok mlv inspect --json packed.npz
assert_eq "$(json_get "$stdout" 'd["format"]')" numpy
assert_eq "$(json_get "$stdout" 'd["facts"]["compressed_arrays"]')" 2
assert_eq "$(json_get "$stdout" '[(t["name"], t["dtype"], t["shape"]) for t in d["tensors"]]')" \
  '[["w", "<f4", [64, 32]], ["b", "<i8", [10]]]'
assert_eq "$(json_get "$stdout" 'd["facts"]["elements"]')" 2058

# --- safetensors and GGUF written from their specifications ----------------------------------

python3 - <<'PY'
import json, struct
header = {"__metadata__": {"format": "pt"}}
offset = 0
for i in range(30):
    header[f"layers.{i:02d}.weight"] = {"dtype": "F16", "shape": [4, 8], "data_offsets": [offset, offset + 64]}
    offset += 64
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open("model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + bytes(offset))
# The same with a tensor whose data would lie past the end of the file.
header["layers.29.weight"]["data_offsets"] = [offset - 64, offset + 10**9]
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open("damaged.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + bytes(offset))

def gguf_string(s):
    return struct.pack("<Q", len(s)) + s.encode()
kv = gguf_string("general.architecture") + struct.pack("<I", 8) + gguf_string("llama")
kv += gguf_string("llama.context_length") + struct.pack("<I", 4) + struct.pack("<I", 4096)
tokens = b"".join(gguf_string(f"t{i}") for i in range(500))
kv += gguf_string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 500) + tokens
info = gguf_string("output.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 16, 8) + struct.pack("<IQ", 0, 0)
head = b"GGUF" + struct.pack("<IQQ", 3, 1, 3) + kv + info
head += bytes(-len(head) % 32)
with open("tiny.gguf", "wb") as f:
    f.write(head + bytes(16 * 8 * 4))
PY

assert_ok mlv inspect model.safetensors
assert_line_with "$stdout" "tensors" "30"
assert_line_with "$stdout" "parameters" "960"
assert_line_with "$stdout" "layers.00.weight" "F16" "[4, 8]" "64"
assert_line_with "$stdout" "... and 10 more (--all lists them)"
assert_line_with "$stdout" "format" "pt"
assert_ok mlv inspect --all model.safetensors
assert_line_with "$stdout" "layers.29.weight" "F16"
assert_not_contains "$stdout" "more (--all"
assert_ok mlv inspect --json model.safetensors
assert_eq "$(json_get "$stdout" 'len(d["tensors"])')" 30
assert_eq "$(json_get "$stdout" 'd["metadata"]["format"]')" pt

assert_exit 4 mlv inspect damaged.safetensors
assert_contains "$stderr" "damaged.safetensors"
assert_contains "$stderr" "layers.29.weight"

assert_ok mlv inspect --json tiny.gguf
assert_eq "$(json_get "$stdout" 'd["facts"]["architecture"]')" llama
assert_eq "$(json_get "$stdout" 'd["facts"]["version"]')" 3
assert_eq "$(json_get "$stdout" 'd["metadata"]["tokenizer.ggml.tokens"]')" "array of 500 string"
assert_eq "$(json_get "$stdout" 'd["tensors"][0]["shape"]')" "[16, 8]"
head -c 100 tiny.gguf >cut.gguf
assert_exit 4 mlv inspect cut.gguf
assert_contains "$stderr" "cut.gguf"

# --- a SavedModel directory (saved_model.pb written with the protobuf wire format) ------------

mkdir -p export/variables
python3 - <<'PY'
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload
def number(number, value):
    return varint(number << 3) + varint(value)
tensor = field(1, b"serving_default_x:0") + number(2, 1) + field(3, field(2, number(1, 2**64 - 1)) + field(2, number(1, 4)))
signature = field(1, field(1, b"x") + field(2, tensor)) + field(2, field(1, b"y") + field(2, tensor))
meta_info = field(4, b"serve") + field(5, b"2.15.0")
meta_graph = field(1, meta_info) + field(5, field(1, b"serving_default") + field(2, signature))
with open("export/saved_model.pb", "wb") as f:
    f.write(number(1, 1) + field(2, meta_graph))
PY
printf 'index' >export/variables/variables.index
head -c 4096 /dev/urandom >export/variables/variables.data-00000-of-00001
assert_ok mlv inspect --json export
assert_eq "$(json_get "$stdout" 'd["format"]')" savedmodel
assert_eq "$(json_get "$stdout" 'd["facts"]["tags"]')" '["serve"]'
assert_eq "$(json_get "$stdout" 'd["facts"]["signatures"]')" '["serving_default"]'
assert_eq "$(json_get "$stdout" 'd["inputs"][0]["shape"]')" '["?", 4]'
assert_eq "$(json_get "$stdout" 'd["facts"]["variable_bytes"]')" 4096

# --- pointers: workspace data, else the cache object; add writes the summary -----------------

new_repo repo
mkdir -p models
cp "$MLV_FIXTURES/mlp.onnx" models/mlp.onnx
cp "$TEST_ROOT/model.safetensors" models/
cp -r "$TEST_ROOT/export" models/export
cp "$TEST_ROOT/damaged.safetensors" models/
assert_ok mlv add models/mlp.onnx models/model.safetensors models/export models/damaged.safetensors
assert_yaml models/mlp.onnx.mlv format onnx
assert_yaml models/mlp.onnx.mlv summary.ir_version 7
assert_yaml models/mlp.onnx.mlv summary.producer "pytorch 1.13.0"
assert_yaml models/mlp.onnx.mlv summary.opsets "[ai.onnx 13]"
assert_yaml models/mlp.onnx.mlv summary.inputs "[x]"
assert_yaml models/mlp.onnx.mlv summary.outputs "[logits]"
assert_yaml models/model.safetensors.mlv summary.tensors 30
assert_yaml models/model.safetensors.mlv summary.parameters 960
assert_yaml models/model.safetensors.mlv summary.dtypes "[F16]"
assert_yaml models/export.mlv format savedmodel
assert_yaml models/export.mlv summary.tags "[serve]"
# A damaged header does not stop tracking: the format is kept, without a summary.
assert_yaml models/damaged.safetensors.mlv format safetensors
if yaml_get models/damaged.safetensors.mlv summary.tensors >/dev/null; then
  fail "a damaged file got a summary:"$'\n'"$(cat models/damaged.safetensors.mlv)"
fi
# Re-adding unchanged files leaves the pointers byte for byte.
cp models/mlp.onnx.mlv "$TEST_ROOT/pointer.before"
assert_ok mlv add models/mlp.onnx
assert_contains "$stdout" "unchanged"
assert_file_eq models/mlp.onnx.mlv "$TEST_ROOT/pointer.before"

assert_ok mlv inspect --json models/mlp.onnx.mlv
assert_eq "$(json_get "$stdout" 'd["source"]')" workspace
assert_eq "$(json_get "$stdout" 'd["pointer"]')" models/mlp.onnx.mlv
assert_eq "$(json_get "$stdout" 'd["facts"]["ir_version"]')" 7
assert_ok mlv inspect models/mlp.onnx.mlv
assert_line_with "$stdout" "path" "the workspace data of models/mlp.onnx.mlv"

# Without the workspace copy, the pointer (or the data path it stands for) reads the cache.
rm models/mlp.onnx
id=$(pointer_id models/mlp.onnx.mlv)
for target in models/mlp.onnx.mlv models/mlp.onnx; do
  assert_ok mlv inspect --json "$target"
  assert_eq "$(json_get "$stdout" 'd["source"]')" cache
  assert_eq "$(json_get "$stdout" 'd["sha256"]')" "$id"
  assert_eq "$(json_get "$stdout" 'd["facts"]["opsets"]')" '["ai.onnx 13"]'
done
assert_ok mlv inspect models/mlp.onnx.mlv
assert_line_with "$stdout" "cache object $id"

# Neither: exit 6 with a pull hint. Nothing at all: exit 6.
chmod -R u+w .mlv/cache
rm ".mlv/cache/files/${id:0:2}/$id"
assert_exit 6 mlv inspect models/mlp.onnx.mlv
assert_contains "$stderr" "mlv pull"
assert_exit 6 mlv inspect models/nothing.bin
assert_contains "$stderr" "models/nothing.bin"

# A pointer's folder missing from the workspace: exit 6 with a checkout hint.
rm -rf models/export
assert_exit 6 mlv inspect models/export.mlv
assert_contains "$stderr" "mlv checkout"

pass
