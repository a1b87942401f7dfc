# shellcheck shell=bash
# shellcheck disable=SC2034 # constants and settings used by the scripts that source this file
# Shared helpers for the benchmarks in bench/. Each bench/*.sh sources this file, measures mlv and
# a reference tool in the same run, prints the figures, the ratio and PASS/FAIL against its goal,
# and exits 1 if a goal was missed. Benchmarks are not part of the test suite.
#
# Environment:
#   MLV          the mlv binary (default: build/mlv of this repository)
#   BENCH_RUNS   repetitions of each timed command; the median is reported (default 5)
#   BENCH_KEEP   set to 1 to keep the work folder for inspection

set -Eeuo pipefail
shopt -s inherit_errexit # a failing command inside $(...) stops the benchmark too

BENCH_NAME=$(basename "$0" .sh)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
MLV=${MLV:-$REPO_ROOT/build/mlv}
BENCH_RUNS=${BENCH_RUNS:-5}
GIB=$((1024 * 1024 * 1024))
MIB=$((1024 * 1024))

if [[ ! -x "$MLV" ]]; then
  echo "$BENCH_NAME: no mlv binary at $MLV" >&2
  echo "  hint: build it (./setup.sh build) or set MLV to its path" >&2
  exit 2
fi
MLV=$(cd "$(dirname "$MLV")" && pwd)/$(basename "$MLV")

# --- tools: /usr/bin/time (peak RSS), openssl (reference hashing, fast test data), python3 ---

# Installs the Debian packages among "$@" that are missing (as root, or with sudo).
need_packages() {
  local package missing=()
  for package in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" == "install ok installed" ]] ||
      missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "$BENCH_NAME: installing ${missing[*]}" >&2
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y update >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends \
    "${missing[@]}" >/dev/null
}
need_packages time openssl python3

# --- a work folder on the repository's filesystem (not tmpfs), removed at exit ---------------

mkdir -p "$REPO_ROOT/bench/out"
WORK=$(mktemp -d "$REPO_ROOT/bench/out/$BENCH_NAME.XXXXXX")
if [[ "$(stat -f -c %T "$WORK")" == tmpfs ]]; then
  echo "$BENCH_NAME: warning: $WORK is on tmpfs; disk figures will be optimistic" >&2
fi

# Removes the work folder and exits with $1, else with the status the script ended with.
remove_work() {
  local code=${1:-$?}
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
    echo "$BENCH_NAME: kept $WORK" >&2
  else
    chmod -R u+w "$WORK" 2>/dev/null || true # cache objects are read-only
    rm -rf "$WORK"
  fi
  exit "$code"
}
trap remove_work EXIT
trap 'echo "$BENCH_NAME: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# A private HOME and git identity so the user's settings cannot change the figures.
export HOME="$WORK/home"
mkdir -p "$HOME"
unset XDG_CONFIG_HOME
while IFS= read -r name; do
  [[ "$name" == MLV_* ]] && unset "$name"
done < <(compgen -e)
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="mlv bench" GIT_AUTHOR_EMAIL="bench@example.invalid"
export GIT_COMMITTER_NAME="mlv bench" GIT_COMMITTER_EMAIL="bench@example.invalid"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

mlv() { "$MLV" "$@"; }

# --- test data ----------------------------------------------------------------------------

# Writes SIZE pseudo-random bytes to PATH, reproducible from SEED (AES-CTR keystream: fast).
make_random_file() {
  local path=$1 size=$2 seed=${3:-mlv}
  openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$seed" -in /dev/zero 2>/dev/null |
    head -c "$size" >"$path" || true # openssl stops on SIGPIPE once head has enough
  [[ "$(stat -c %s "$path")" == "$size" ]] || {
    echo "$BENCH_NAME: could not write $size bytes to $path" >&2
    exit 2
  }
}

# Creates a git repository with mlv initialised at PATH and enters it.
new_repo() {
  mkdir -p "$1"
  cd "$1"
  git init -q
  mlv -q init
  git add .mlv
  git commit -q -m "Set up mlv"
}

# Reads PATH once so that the timed commands all start from a warm page cache.
warm() { cat "$@" >/dev/null; }

# --- measuring ----------------------------------------------------------------------------

# Runs COMMAND... with its output saved in $WORK/last-output; on failure shows it and stops.
run_quietly() {
  if ! "$@" >"$WORK/last-output" 2>&1; then
    echo "$BENCH_NAME: command failed: $*" >&2
    sed 's/^/  | /' "$WORK/last-output" >&2
    exit 2
  fi
}

# Prints the wall-clock seconds COMMAND... takes (output discarded; stops if the command fails).
seconds_of() {
  local start end
  sync
  start=$(date +%s%N)
  run_quietly "$@"
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.4f", ns / 1e9 }'
}

# Prints the median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Prints the median wall-clock seconds of BENCH_RUNS runs of COMMAND...
median_seconds_of() {
  local run times=()
  for ((run = 0; run < BENCH_RUNS; run++)); do
    times+=("$(seconds_of "$@")")
  done
  median "${times[@]}"
}

# Prints the peak resident set size of COMMAND... in KiB (/usr/bin/time -v). A leading `mlv`
# means the mlv under test.
peak_rss_kib_of() {
  local report="$WORK/time-v.txt"
  [[ "$1" == mlv ]] && set -- "$MLV" "${@:2}"
  sync
  run_quietly /usr/bin/time -v -o "$report" "$@"
  awk -F': *' '/Maximum resident set size/ { print $2 }' "$report"
}

# Prints the apparent size in bytes of the folders/files given (0 if absent).
bytes_in() {
  local total=0 path
  for path in "$@"; do
    [[ -e "$path" ]] && total=$((total + $(du -sb "$path" | cut -f1)))
  done
  echo "$total"
}

# Prints the value of KEY in the one-line JSON object on stdin.
json_field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# Prints A / B with 3 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.3f", a / b }'; }

# --- an S3 server -----------------------------------------------------------------------------

# Starts s3rver (tests/servers) on a free port of 127.0.0.1 with bucket BUCKET, stops it at exit,
# and sets ENDPOINT, the aws() wrapper and the AWS_* variables both mlv and the aws cli read.
start_s3rver() {
  local bucket=$1 s3rver=$REPO_ROOT/tests/servers/node_modules/.bin/s3rver port
  need_packages awscli
  [[ -x "$s3rver" ]] || {
    echo "$BENCH_NAME: s3rver is not installed; run ./setup.sh test (npm ci in tests/servers)" >&2
    exit 2
  }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ENDPOINT=http://127.0.0.1:$port
  mkdir -p "$WORK/s3rver"
  NODE_OPTIONS=--openssl-legacy-provider "$s3rver" --address 127.0.0.1 --port "$port" \
    --directory "$WORK/s3rver" --configure-bucket "$bucket" >"$WORK/s3rver.log" 2>&1 &
  SERVER_PID=$!
  # The script's own status is passed on: kill's (or a failing subshell's) is not it.
  trap 'status=$?; kill $SERVER_PID 2>/dev/null; remove_work "$status"' EXIT
  for _ in $(seq 100); do
    curl -s -o /dev/null "$ENDPOINT" && break
    sleep 0.1
  done
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
}
aws() { /usr/bin/aws --endpoint-url "$ENDPOINT" "$@"; }

# Prints the wall-clock seconds of COMMAND... run once, its stdout kept in $WORK/last-stdout
# (for a --json summary).
seconds_keeping_output() {
  local start
  sync
  start=$(date +%s%N)
  "$@" >"$WORK/last-stdout"
  awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.4f", ns / 1e9 }'
}

# --- reporting ----------------------------------------------------------------------------

FAILED_GOALS=0
RESULTS_FILE="$REPO_ROOT/bench/out/results.tsv"

section() { printf '\n== %s: %s\n' "$BENCH_NAME" "$*"; }
info() { printf '   %s\n' "$*"; }

# check NAME VALUE GOAL UNIT [REFERENCE_TEXT]: prints one result line, PASS when VALUE <= GOAL,
# and appends it to bench/out/results.tsv for docs/benchmarks.md.
check() {
  local name=$1 value=$2 goal=$3 unit=$4 reference=${5:-}
  local verdict=PASS
  awk -v v="$value" -v g="$goal" 'BEGIN { exit !(v <= g) }' || verdict=FAIL
  [[ "$verdict" == PASS ]] || FAILED_GOALS=$((FAILED_GOALS + 1))
  printf '   %-46s %12s %-4s goal <= %-8s %s%s\n' "$name" "$value" "$unit" "$goal" "$verdict" \
    "${reference:+   ($reference)}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$BENCH_NAME" \
    "$name" "$value" "$unit" "$goal" "$verdict" "$reference" >>"$RESULTS_FILE"
}

# Ends the benchmark: exit 1 if any goal was missed.
finish() {
  if ((FAILED_GOALS > 0)); then
    printf '\n%s: %d goal(s) missed\n' "$BENCH_NAME" "$FAILED_GOALS"
    exit 1
  fi
  printf '\n%s: all goals met\n' "$BENCH_NAME"
}
