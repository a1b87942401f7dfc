#!/usr/bin/env bash
# Peak resident memory (/usr/bin/time -v) of `mlv add`, `mlv push` and `mlv pull` (into an empty
# clone) of a 1 GiB file with a local-folder remote: each at most 100 MiB, however large the file,
# because mlv streams files through fixed-size buffers. References measured in the same run:
# `openssl dgst -sha256` for add, `cp` into a folder for push and pull.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

SIZE=${BENCH_SIZE:-$GIB}
GOAL_MIB=100

mib_of_kib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

section "peak RSS of add, push and pull of a $((SIZE / MIB)) MiB file, local-folder remote"
new_repo "$WORK/project"
mkdir -p models
make_random_file models/model.bin "$SIZE"
warm models/model.bin

openssl_kib=$(peak_rss_kib_of openssl dgst -sha256 models/model.bin)
add_kib=$(peak_rss_kib_of mlv add models/model.bin)
git commit -q -m "Add model"

mlv -q remote add origin "$WORK/remote" --default
git commit -q -a -m "Model storage"
mkdir -p "$WORK/copy"
cp_kib=$(peak_rss_kib_of cp models/model.bin "$WORK/copy/model.bin")
rm -f "$WORK/copy/model.bin"
push_kib=$(peak_rss_kib_of mlv push)

git clone -q "$WORK/project" "$WORK/clone"
cd "$WORK/clone"
pull_kib=$(peak_rss_kib_of mlv pull)
cmp -s models/model.bin "$WORK/project/models/model.bin" || {
  echo "$BENCH_NAME: the pulled file differs from the one pushed" >&2
  exit 1
}

info "openssl dgst -sha256: $(mib_of_kib "$openssl_kib") MiB   cp: $(mib_of_kib "$cp_kib") MiB"
check "peak RSS of mlv add" "$(mib_of_kib "$add_kib")" "$GOAL_MIB" MiB \
  "ratio to openssl dgst $(ratio "$add_kib" "$openssl_kib")"
check "peak RSS of mlv push" "$(mib_of_kib "$push_kib")" "$GOAL_MIB" MiB \
  "ratio to cp $(ratio "$push_kib" "$cp_kib")"
check "peak RSS of mlv pull (empty clone)" "$(mib_of_kib "$pull_kib")" "$GOAL_MIB" MiB \
  "ratio to cp $(ratio "$pull_kib" "$cp_kib")"
finish
