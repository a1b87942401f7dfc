#!/usr/bin/env bash
# A TensorFlow SavedModel is a folder: mlv tracks it as one directory model.
set -euo pipefail
MLV=${MLV:-mlv}
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

git init -q -b main "$work/repo" && cd "$work/repo"
git config user.name Dev && git config user.email dev@example.invalid
"$MLV" init
mkdir -p export/variables export/assets
head -c 100000 /dev/urandom > export/saved_model.pb
head -c 2000000 /dev/urandom > export/variables/variables.data-00000-of-00001
head -c 4000 /dev/urandom > export/variables/variables.index
echo "label_a" > export/assets/labels.txt
"$MLV" add export
cat export.mlv
"$MLV" remote add storage "$work/remote" --default
git add -A && git commit -qm "SavedModel" && "$MLV" push

git clone -q "$work/repo" "$work/clone" && cd "$work/clone"
"$MLV" pull
diff -r "$work/repo/export" "$work/clone/export" && echo "directory model restored byte for byte"
