#!/usr/bin/env bash
# From training to a served model: train a scikit-learn pipeline, track it with its metrics and
# parameters, push it, register and promote it, then on the serving host pull it by stage, scan
# it and let the service load it only if the scan passes.
#
#   MLV=build/mlv bash examples/sklearn-service/workflow.sh
#
# Training needs scikit-learn; without it, set MODEL_SOURCE to an existing joblib or pickle file
# to stand in for the trained model (the test suite uses a real scikit-learn pipeline from
# shared/fixtures/models).
set -euo pipefail
MLV=${MLV:-mlv}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
export GIT_AUTHOR_NAME=Ana GIT_AUTHOR_EMAIL=ana@example.invalid
export GIT_COMMITTER_NAME=Ana GIT_COMMITTER_EMAIL=ana@example.invalid

step "Train and track the model with its metrics and parameters"
git init -q -b main "$work/project" && cd "$work/project"
"$MLV" init
"$MLV" remote add storage "$work/remote" --default
if [[ -n "${MODEL_SOURCE:-}" ]]; then
  mkdir -p models
  cp "$MODEL_SOURCE" models/classifier.joblib
  printf '{"accuracy": 0.9556, "f1_macro": 0.9554}\n' >models/metrics.json
  printf 'C: 1.0\nseed: 0\nmodel: LogisticRegression\nscaler: standard\n' >models/params.yaml
else
  python3 "$here/train.py" --out models/classifier.joblib
fi
"$MLV" add models/classifier.joblib --metrics-file models/metrics.json \
  --params-file models/params.yaml --meta dataset=iris
"$MLV" inspect models/classifier.joblib
"$MLV" show models/classifier.joblib
git add -A && git commit -qm "Classifier trained on iris"
"$MLV" push

step "Register it as version 1.0.0 and promote it to production"
"$MLV" model register classifier 1.0.0 --path models/classifier.joblib -m "first release"
"$MLV" model promote classifier 1.0.0 production
"$MLV" model show classifier

step "The serving host takes the production model by stage, scanned"
git clone -q "$work/project" "$work/server" && cd "$work/server"
"$MLV" get . --model classifier --stage production -o deploy/classifier.joblib
"$MLV" scan deploy/classifier.joblib
MODEL_PATH=deploy/classifier.joblib MLV="$MLV" python3 "$here/serve.py" --check

step "A tampered model never reaches the service"
python3 - <<'PY'
import os, pickle
class Payload:  # what a malicious upload would carry; built here, never loaded
    def __reduce__(self):
        return (os.system, ("echo pwned",))
with open("deploy/tampered.joblib", "wb") as out:
    pickle.dump(Payload(), out, protocol=4)
PY
if MODEL_PATH=deploy/tampered.joblib MLV="$MLV" python3 "$here/serve.py" --check; then
  echo "the service accepted a tampered model" >&2
  exit 1
fi
echo "tampered model refused before loading"
