#!/usr/bin/env bash
# A guided tour of mlv, run end to end in a temporary folder that is removed afterwards:
# a model is added and committed, pushed to a local-folder remote, the repository is cloned,
# the model pulled into the clone, and the pulled bytes are checked with sha256sum against the
# id the pointer file names. Exits non-zero if any step fails or the ids differ.
#
#   MLV=path/to/mlv bash scripts/demo.sh      (default: build/mlv of this repository)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
MLV=${MLV:-$REPO_ROOT/build/mlv}
FIXTURE=$(realpath -m "$SCRIPT_DIR/../../shared/fixtures/models/rf_small.joblib")
MODEL=models/rf_small.joblib
FALLBACK_SIZE=$((5 * 1024 * 1024))

if [[ ! -x "$MLV" ]]; then
  echo "demo: no mlv binary at $MLV" >&2
  echo "  hint: build it first (./setup.sh build) or set MLV to its path" >&2
  exit 1
fi
MLV=$(cd "$(dirname "$MLV")" && pwd)/$(basename "$MLV")

DEMO_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mlv-demo.XXXXXX")
remove_demo_root() {
  # Cache objects are read-only on disk; make them writable so they can be deleted.
  chmod -R u+w "$DEMO_ROOT" 2>/dev/null || true
  rm -rf "$DEMO_ROOT"
}
trap remove_demo_root EXIT

# A private HOME, so your own git and mlv settings (a shared cache, a default remote) cannot
# change what the demo shows.
export HOME="$DEMO_ROOT/home"
mkdir -p "$HOME"
export GIT_CONFIG_NOSYSTEM=1
unset XDG_CONFIG_HOME
while IFS= read -r name; do
  [[ "$name" == MLV_* ]] && unset "$name"
done < <(compgen -e)

mlv() { "$MLV" "$@"; }

step_number=0
bold='' plain=''
if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() {
  step_number=$((step_number + 1))
  printf '\n%s%d. %s%s\n' "$bold" "$step_number" "$*" "$plain"
}
# Prints a command as you would type it (arguments with spaces quoted), then runs it.
run() {
  local word line=''
  for word in "$@"; do
    [[ "$word" == *[[:space:]]* ]] && word="\"$word\""
    line+="${line:+ }$word"
  done
  printf '   $ %s\n' "$line"
  "$@" 2>&1 | sed 's/^/     /'
}

echo "mlv demo in $DEMO_ROOT (removed at the end)"
echo "mlv binary: $MLV"

step "Create a git repository for a project"
mkdir -p "$DEMO_ROOT/project"
cd "$DEMO_ROOT/project"
run git init -q -b main
run git config user.name "mlv demo"
run git config user.email "demo@example.invalid"

step "Set up mlv in it: .mlv/config (committed) and .mlv/.gitignore"
run mlv init
run git commit -q -m "Set up mlv"

step "Put a trained model in the workspace"
mkdir -p models
if [[ -f "$FIXTURE" ]]; then
  run cp "$FIXTURE" "$MODEL"
  echo "     (a real scikit-learn random forest saved with joblib)"
else
  echo "     (../shared/fixtures is not beside the repository: using 5 MB of random bytes)"
  printf '   $ head -c %d /dev/urandom > %s\n' "$FALLBACK_SIZE" "$MODEL"
  head -c "$FALLBACK_SIZE" /dev/urandom >"$MODEL"
fi
run ls -l "$MODEL"

step "Track it with mlv: the bytes go to the cache, a small pointer file goes to git"
run mlv add "$MODEL" --metric accuracy=0.93
echo "   The pointer $MODEL.mlv (what git versions):"
sed 's/^/     /' "$MODEL.mlv"
echo "   Staged for commit (the model itself is git-ignored):"
run git status --short

step "Look inside it without loading it: what the format records, and whether loading would run code"
run mlv inspect "$MODEL"
run mlv scan "$MODEL"

step "Commit the pointer"
run git commit -q -m "Add random forest, accuracy 0.93"

step "Add a remote: here a local folder; S3, GCS and HTTP servers work the same way"
run mlv remote add origin "$DEMO_ROOT/remote" --default
run git commit -q -a -m "Model storage"

step "Push the model's bytes to the remote (as deduplicated chunks in packs)"
run mlv push

step "A teammate clones the repository: they get the pointer, not the bytes"
cd "$DEMO_ROOT"
run git clone -q project teammate
cd "$DEMO_ROOT/teammate"
run mlv status

step "They pull the model: fetched, verified chunk by chunk and as a whole, checked out"
run mlv pull
run ls -l "$MODEL"

step "Check the pulled bytes with sha256sum against the id the pointer names"
pulled=$(sha256sum "$MODEL" | cut -d' ' -f1)
recorded=$(sed -n 's/^sha256:[[:space:]]*["'\'']\{0,1\}\([0-9a-f]*\).*/\1/p' "$MODEL.mlv")
run sha256sum "$MODEL"
run grep '^sha256:' "$MODEL.mlv"
if [[ -z "$recorded" || "$pulled" != "$recorded" ]]; then
  echo
  echo "demo: FAILED: sha256sum says ${pulled} but the pointer names '${recorded}'" >&2
  exit 1
fi
echo
echo "The pulled file is byte for byte the model that was added: sha256 $pulled"
echo "Demo complete."
