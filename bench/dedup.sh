#!/usr/bin/env bash
# How many bytes a second version of a model adds to a local-folder remote, as measured by the
# growth of remote/packs (du -sb) and by `mlv push --json`'s bytes_sent. The reference is a
# whole-file store (git-lfs, DVC), which adds the whole file again: the ratio is to the file size.
#   (a) a PyTorch-style checkpoint of about 80 MB (bench/make_checkpoint.py: torch.save's zip
#       layout, 20 float32 tensors of trained-like weights, normal(0, 0.02)) whose last tensor, a
#       10-class classifier head over 1024 features (40 KiB), is fine-tuned: <= 0.5% (issue 10).
#   (a') the same with a 128-class head (512 KiB), reported without a goal: the head alone is
#       0.65% of the file and its new weights are new information, so no store can add less than
#       the floor printed beside it (what the head alone takes compressed on a remote).
#   (b) a 1 GiB random file with 5% of its bytes rewritten in 50 scattered regions: <= 6%.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

BIG_SIZE=${BENCH_SIZE:-$GIB}
CHANGED_FRACTION=0.05
CHANGED_REGIONS=50
GOAL_CHECKPOINT_PERCENT=0.5
PY=/usr/bin/python3 # Debian's python3, which has numpy (make_checkpoint.py)
GOAL_SCATTERED_PERCENT=6

# Sets up a repository at $1 with a local-folder remote at $1-remote, and enters it.
repo_with_remote() {
  new_repo "$1"
  mlv -q remote add origin "$1-remote" --default
  git commit -q -a -m "Model storage"
}

# push_version FILE MESSAGE: adds, commits and pushes FILE; prints push's JSON summary.
push_version() {
  mlv -q add "$1"
  git commit -q -m "$2"
  mlv push --json
}

# breakdown REMOTE LISTING_BEFORE: what a push added to the remote, object by object: each pack's
# chunk data and its index (with the footer), each manifest as stored and as text.
breakdown() {
  local remote=$1 before=$2 path
  comm -13 "$before" <(cd "$remote" && find . -type f | sort) | while read -r path; do
    case "$path" in
    ./packs/*)
      "$PY" - "$remote/$path" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as pack:
    pack.seek(-64, 2)
    _, version, entries, data, index = struct.unpack("<8sIIQQ", pack.read(32))
    size = pack.seek(0, 2)
print(f"   pack: {size} bytes = {data} of chunks ({entries} chunks) + {size - data} of index"
      f" and footer")
PY
      ;;
    ./manifests/*)
      info "manifest: $(stat -c %s "$remote/$path") bytes stored ($(zstd -dcqf "$remote/$path" |
        wc -c) bytes of text, $(($(zstd -dcqf "$remote/$path" | wc -l) - 5)) chunk lines)"
      ;;
    *) info "other: $path, $(stat -c %s "$remote/$path") bytes" ;;
    esac
  done
}

# head_floor CHECKPOINT KEY: the bytes the head tensor (zip member archive/data/KEY) takes alone
# on a fresh local-folder remote (its packs), as the least any second version can add.
head_floor() {
  local dir
  dir=$(mktemp -d "$WORK/head-only.XXXXXX")
  "$PY" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
    "$1" "archive/data/$2" >"$WORK/head.f32"
  (
    repo_with_remote "$dir" >/dev/null
    mv "$WORK/head.f32" head.f32
    push_version head.f32 "head alone" >/dev/null
    bytes_in "$dir-remote/packs"
  )
}

# report LABEL FILE REMOTE PACKS_BEFORE REMOTE_BEFORE JSON GOAL_PERCENT
report() {
  local label=$1 file=$2 remote=$3 packs_before=$4 remote_before=$5 json=$6 goal=$7
  local size packs_added remote_added sent
  size=$(stat -c %s "$file")
  packs_added=$(($(bytes_in "$remote/packs") - packs_before))
  remote_added=$(($(bytes_in "$remote") - remote_before))
  sent=$(json_field bytes_sent <<<"$json")
  info "file size:                 $size bytes (a whole-file store adds all of it)"
  info "remote/packs grew by:      $packs_added bytes"
  info "whole remote grew by:      $remote_added bytes (packs, manifest, folders)"
  info "push --json bytes_sent:    $sent bytes; $(json_field chunks_new <<<"$json") new chunks," \
    "$(json_field chunks_reused <<<"$json") reused"
  local worst=$((packs_added > sent ? packs_added : sent))
  check "$label: bytes added / file size" \
    "$(awk -v a="$worst" -v s="$size" 'BEGIN { printf "%.3f", 100 * a / s }')" "$goal" % \
    "the larger of packs growth and bytes_sent; whole-file store: 100%"
}

# checkpoint_case LABEL CLASSES [GOAL_PERCENT]: v1 and v2 (head fine-tuned) of a checkpoint whose
# head has CLASSES rows, pushed to a fresh remote; what v2 added, checked against GOAL_PERCENT
# when given, else only reported.
checkpoint_case() {
  local label=$1 classes=$2 goal=${3:-}
  local dir=$WORK/checkpoint-$classes
  section "$label PyTorch-style checkpoint, a $classes-class head fine-tuned"
  repo_with_remote "$dir"
  mkdir -p models
  "$PY" "$BENCH_DIR/make_checkpoint.py" models/model.pt --head-seed 0 --head-classes "$classes"
  info "version 1: $(push_version models/model.pt "Checkpoint v1")"
  local packs_before remote_before json floor size
  packs_before=$(bytes_in "$dir-remote/packs")
  remote_before=$(bytes_in "$dir-remote")
  (cd "$dir-remote" && find . -type f | sort) >"$WORK/checkpoint-before.txt"
  # A training run writes a new file; the old one may share its inode with the cache.
  "$PY" "$BENCH_DIR/make_checkpoint.py" models/model.pt.new --head-seed 1 --head-classes "$classes"
  mv models/model.pt.new models/model.pt
  json=$(push_version models/model.pt "Checkpoint v2: head fine-tuned")
  info "version 2: $json"
  info "what version 2 added to the remote:"
  breakdown "$dir-remote" "$WORK/checkpoint-before.txt"
  size=$(stat -c %s models/model.pt)
  floor=$(head_floor models/model.pt 19)
  if [[ -n "$goal" ]]; then
    report "$label checkpoint v2" models/model.pt "$dir-remote" "$packs_before" \
      "$remote_before" "$json" "$goal"
  else
    local sent=$(json_field bytes_sent <<<"$json") added=$(($(bytes_in "$dir-remote") - remote_before))
    info "$label checkpoint v2 added $((added > sent ? added : sent)) bytes:" \
      "$(awk -v a="$((added > sent ? added : sent))" -v s="$size" 'BEGIN { printf "%.3f", 100 * a / s }')%" \
      "of the file (reported, no goal: see the floor)"
  fi
  info "floor: the head alone takes $floor bytes on a remote:" \
    "$(awk -v a="$floor" -v s="$size" 'BEGIN { printf "%.3f", 100 * a / s }')% of the file"
  cd "$WORK"
}

checkpoint_case "(a)" 10 "$GOAL_CHECKPOINT_PERCENT"
checkpoint_case "(a')" 128

section "(b) $((BIG_SIZE / MIB)) MiB random file, ${CHANGED_FRACTION} of its bytes changed in $CHANGED_REGIONS regions"
repo_with_remote "$WORK/scattered"
mkdir -p models
make_random_file models/big.bin "$BIG_SIZE"
info "version 1: $(push_version models/big.bin "Big v1")"
packs_before=$(bytes_in "$WORK/scattered-remote/packs")
remote_before=$(bytes_in "$WORK/scattered-remote")
cp models/big.bin models/big.bin.new
python3 "$BENCH_DIR/change_bytes.py" models/big.bin.new "$CHANGED_FRACTION" "$CHANGED_REGIONS"
mv models/big.bin.new models/big.bin
json=$(push_version models/big.bin "Big v2: 5% changed")
info "version 2: $json"
report "(b) scattered 5% change" models/big.bin "$WORK/scattered-remote" "$packs_before" \
  "$remote_before" "$json" "$GOAL_SCATTERED_PERCENT"
finish
