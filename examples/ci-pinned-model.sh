#!/usr/bin/env bash
# A CI job takes the model pinned by a release tag, verified, without a checkout of that tag.
set -euo pipefail
MLV=${MLV:-mlv}
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

# The project repository: v1.0.0 and a later, unreleased model.
git init -q -b main "$work/project" && cd "$work/project"
git config user.name Dev && git config user.email dev@example.invalid
"$MLV" init
head -c 3000000 /dev/urandom > model.onnx
"$MLV" add model.onnx --metric accuracy=0.90
"$MLV" remote add storage "$work/remote" --default
git add -A && git commit -qm "Model for 1.0.0" && git tag v1.0.0
released=$(sha256sum model.onnx | cut -d' ' -f1)
"$MLV" push
head -c 3000000 /dev/urandom > model.onnx
"$MLV" add model.onnx && git commit -qm "Experimental model" && "$MLV" push

# The CI job: from its own folder, take exactly what v1.0.0 names.
mkdir "$work/ci" && cd "$work/ci"
"$MLV" get "$work/project" model.onnx --rev v1.0.0 -o deploy/model.onnx
test "$(sha256sum deploy/model.onnx | cut -d' ' -f1)" = "$released"
echo "CI took the v1.0.0 model, verified: $released"
