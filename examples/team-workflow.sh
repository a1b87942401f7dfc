#!/usr/bin/env bash
# A team shares a model through a remote folder (a mounted disk or NFS share).
set -euo pipefail
MLV=${MLV:-mlv}
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "Alice creates a project and tracks a model with its metrics"
git init -q -b main "$work/alice" && cd "$work/alice"
git config user.name Alice && git config user.email alice@example.invalid
"$MLV" init
mkdir models
head -c 8000000 /dev/urandom > models/classifier.bin # stands in for a trained model
"$MLV" add models/classifier.bin --metric accuracy=0.91 --param epochs=10
"$MLV" remote add shared "$work/remote" --default
git add -A && git commit -qm "Classifier v1"
"$MLV" push

step "Bob clones the repository and pulls the model"
git clone -q "$work/alice" "$work/bob" && cd "$work/bob"
"$MLV" pull
sha256sum models/classifier.bin
grep sha256 models/classifier.bin.mlv

step "Alice fine-tunes the last layer (the last 200 KB change) and pushes version 2"
cd "$work/alice"
python3 - <<'PY'
import os
with open("models/classifier.bin", "r+b") as f:
    f.seek(-200_000, os.SEEK_END)
    f.write(os.urandom(200_000))
PY
"$MLV" add models/classifier.bin --metric accuracy=0.94
git commit -qam "Classifier v2: fine-tuned head"
"$MLV" push --json # bytes_sent is a small part of the 8 MB file

step "Bob pulls version 2: chunks he already has are reused"
cd "$work/bob" && git pull -q
"$MLV" pull --json
"$MLV" status
