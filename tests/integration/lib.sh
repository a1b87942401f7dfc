# Shared helpers for the integration tests. Each tests/integration/test_*.sh sources this file,
# drives the real `mlv` binary ($MLV) in temporary git repositories, and prints
# "<test name>: ok" as its last line only when every assertion held.
#
# Environment (set by ctest, see tests/CMakeLists.txt):
#   MLV           path of the built mlv binary
#   MLV_FIXTURES  folder of small genuine model files (shared/fixtures/models)

set -Eeuo pipefail

TEST_NAME=$(basename "$0" .sh)
TEST_SCRIPT=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -z "${MLV:-}" ]]; then
  # Convenience for running a script by hand from a build folder.
  for candidate in "$LIB_DIR"/../../build*/mlv; do
    if [[ -x "$candidate" ]]; then MLV=$(cd "$(dirname "$candidate")" && pwd)/mlv; break; fi
  done
fi
: "${MLV:?MLV must name the built mlv binary}"
[[ -x "$MLV" ]] || { echo "$TEST_NAME: MLV=$MLV is not an executable" >&2; exit 1; }
MLV_FIXTURES=${MLV_FIXTURES:-$LIB_DIR/../../../shared/fixtures/models}
export MLV MLV_FIXTURES

# --- isolation: a private temp root, HOME and git identity, no inherited mlv settings ---------

TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mlv-itest-$TEST_NAME.XXXXXX")
TEST_ROOT=$(cd "$TEST_ROOT" && pwd -P)
# One line per failed check (line, case); see check_failed.
FAILED_CHECKS="$TEST_ROOT/.failed-checks"

cleanup_test_root() {
  local code=$?
  # Failed checks are named together at the end, also when a command stopped the test early.
  if [[ -s "$FAILED_CHECKS" ]]; then
    report_failed_checks
    code=1
  fi
  # Background jobs a test started (kill tests, concurrency tests) must not outlive it.
  local pids
  pids=$(jobs -p 2>/dev/null || true)
  # The group's redirection also silences bash's "Killed" report for each job.
  if [[ -n "$pids" ]]; then { kill -9 $pids || true; wait || true; } 2>/dev/null; fi
  # Cache objects and their folders may be read-only.
  chmod -R u+w "$TEST_ROOT" 2>/dev/null || true
  rm -rf "$TEST_ROOT"
  exit "$code"
}
trap cleanup_test_root EXIT

on_error() {
  local code=$? line=$1 command=$2
  echo "$TEST_NAME: FAIL at line $line (exit $code): $command" >&2
}
ERR_TRAP='on_error "$LINENO" "$BASH_COMMAND"'
trap "$ERR_TRAP" ERR

export HOME="$TEST_ROOT/home"
mkdir -p "$HOME"
unset XDG_CONFIG_HOME XDG_CACHE_HOME
while IFS= read -r name; do
  case "$name" in MLV | MLV_FIXTURES) ;; MLV_*) unset "$name" ;; esac
done < <(compgen -e)
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="mlv test" GIT_AUTHOR_EMAIL="test@example.invalid"
export GIT_COMMITTER_NAME="mlv test" GIT_COMMITTER_EMAIL="test@example.invalid"
export GIT_TERMINAL_PROMPT=0
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global protocol.file.allow always
export LC_ALL=C

# --- running mlv -----------------------------------------------------------------------------

mlv() { "$MLV" "$@"; }

# run CMD...: runs without stopping the test; sets $status, $stdout, $stderr and $output (both).
run() {
  local out_file="$TEST_ROOT/.run.out" err_file="$TEST_ROOT/.run.err"
  trap - ERR
  set +e
  "$@" >"$out_file" 2>"$err_file" </dev/null
  status=$?
  set -e
  trap "$ERR_TRAP" ERR
  stdout=$(cat "$out_file")
  stderr=$(cat "$err_file")
  output="$stdout"
  if [[ -n "$stderr" ]]; then output+=$'\n'"$stderr"; fi
  return 0
}

# --- failing ---------------------------------------------------------------------------------

# The first line in the test script itself (not in this library) on the call stack.
caller_line() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [[ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]]; then
      echo "${BASH_LINENO[$((i - 1))]}"
      return
    fi
  done
  echo "?"
}

# fail MESSAGE: stops the test now (for set-up that later steps cannot do without).
fail() {
  trap - ERR
  echo "$TEST_NAME: FAIL at line $(caller_line): $*" >&2
  exit 1
}

# The case a script line belongs to: the first line of the nearest comment block above it (the
# scripts introduce each case with a comment), so a report names cases without extra markup.
case_title() { # LINE
  awk -v stop="$1" '
    NR > stop { exit }
    /^[[:space:]]*#/ && NR > 1 {
      if (!in_comment) { title = $0; start = NR }
      in_comment = 1
      next
    }
    { in_comment = 0 }
    END {
      sub(/^[[:space:]]*#[[:space:]]*/, "", title)
      if (title == "") title = "start of the script"
      if (length(title) > 90) title = substr(title, 1, 87) "..."
      printf "line %s: %s", (start ? start : 1), title
    }' "$TEST_SCRIPT"
}

# check_failed MESSAGE: records a failed assertion and lets the test go on, so that one run names
# every failing case instead of stopping at the first (a later case may fail only because an
# earlier one did: read the first one first). The test still fails at its end.
check_failed() {
  local line
  line=$(caller_line)
  echo "$TEST_NAME: FAIL at line $line: $*" >&2
  printf '%s\t%s\n' "$line" "$(case_title "$line")" >>"$FAILED_CHECKS"
}

report_failed_checks() {
  local count cases
  count=$(wc -l <"$FAILED_CHECKS")
  cases=$(cut -f2 "$FAILED_CHECKS" | awk '!seen[$0]++')
  printf '%s: %d failed check(s) in %d case(s):\n' "$TEST_NAME" "$count" \
    "$(printf '%s\n' "$cases" | wc -l)" >&2
  printf '  %s\n' "$cases" >&2
}

# Prints the last `run` output for a failure message.
last_output() { printf -- '--- output of the last command (exit %s) ---\n%s\n---' "${status:-?}" "${output:-}"; }

# --- assertions ------------------------------------------------------------------------------

assert_eq() { # ACTUAL EXPECTED [WHAT]
  [[ "$1" == "$2" ]] || { check_failed "${3:-values differ}: expected '$2', got '$1'"; return 0; }
}

assert_ne() { # ACTUAL UNEXPECTED [WHAT]
  [[ "$1" != "$2" ]] || { check_failed "${3:-values equal}: did not expect '$2'"; return 0; }
}

assert_file_eq() { # FILE1 FILE2
  [[ -f "$1" ]] || { check_failed "missing file $1"; return 0; }
  [[ -f "$2" ]] || { check_failed "missing file $2"; return 0; }
  cmp -s "$1" "$2" || { check_failed "files differ: $1 vs $2"; return 0; }
}

# assert_exit CODE CMD...: runs CMD (setting $status/$output like `run`) and checks its exit code.
assert_exit() {
  local expected=$1
  shift
  run "$@"
  [[ "$status" == "$expected" ]] || { check_failed "'$*' exited $status, expected $expected"$'\n'"$(last_output)"; return 0; }
}

assert_ok() { assert_exit 0 "$@"; }

assert_contains() { # HAYSTACK NEEDLE [WHAT]
  [[ "$1" == *"$2"* ]] || { check_failed "${3:-output} does not contain '$2':"$'\n'"$1"; return 0; }
}

assert_not_contains() { # HAYSTACK NEEDLE [WHAT]
  [[ "$1" != *"$2"* ]] || { check_failed "${3:-output} unexpectedly contains '$2':"$'\n'"$1"; return 0; }
}

# A line of HAYSTACK contains every one of the given substrings.
assert_line_with() { # HAYSTACK SUBSTRING...
  local haystack=$1 line s ok
  shift
  while IFS= read -r line; do
    ok=1
    for s in "$@"; do [[ "$line" == *"$s"* ]] || { ok=0; break; }; done
    ((ok)) && return 0
  done <<<"$haystack"
  check_failed "no line contains all of [$*] in:"$'\n'"$haystack"
}

assert_sha256() { # FILE EXPECTED_HEX
  [[ -f "$1" ]] || { check_failed "missing file $1"; return 0; }
  local actual
  actual=$(sha256_of "$1")
  [[ "$actual" == "$2" ]] || { check_failed "sha256 of $1 is $actual, expected $2"; return 0; }
}

assert_exists() { [[ -e "$1" || -L "$1" ]] || { check_failed "expected $1 to exist"; return 0; }; }
assert_not_exists() { [[ ! -e "$1" && ! -L "$1" ]] || { check_failed "expected $1 not to exist"; return 0; }; }

# --- files -----------------------------------------------------------------------------------

# python's hashlib (OpenSSL, SHA-NI) is ~3x faster than coreutils sha256sum on big files.
sha256_of() {
  python3 - "$1" <<'EOF'
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
print(h.hexdigest())
EOF
}

make_random_file() { # PATH SIZE_BYTES
  mkdir -p "$(dirname "$1")"
  head -c "$2" /dev/urandom >"$1"
}

# Random bytes from a seed: the same seed gives the same bytes (for edits that keep most content).
make_seeded_file() { # PATH SIZE_BYTES SEED
  mkdir -p "$(dirname "$1")"
  python3 - "$1" "$2" "$3" <<'EOF'
import random, sys
path, size, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
with open(path, "wb") as out:
    left = size
    while left:
        n = min(left, 1 << 20)
        out.write(rng.randbytes(n))
        left -= n
EOF
}

# Overwrites one byte at OFFSET of FILE with a different value (making it writable first).
flip_byte() { # FILE OFFSET
  chmod u+w "$1"
  python3 - "$1" "$2" <<'EOF'
import sys
path, offset = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(offset)
    b = f.read(1)
    f.seek(offset)
    f.write(bytes([(b[0] ^ 0xFF) if b else 0x55]))
EOF
}

# Every regular file under DIR whose sha256 does not equal its own file name, one per line.
misnamed_objects() { # DIR
  [[ -d "$1" ]] || return 0
  python3 - "$1" <<'EOF'
import hashlib, os, re, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        path = os.path.join(folder, name)
        if not re.fullmatch(r"[0-9a-f]{64}", name) or os.path.islink(path):
            continue
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != name:
            print(path)
EOF
}

# Fails when any content-addressed object under DIR has wrong content for its name.
assert_objects_named_by_content() { # DIR
  local bad
  bad=$(misnamed_objects "$1")
  [[ -z "$bad" ]] || check_failed "objects whose content does not match their name under $1:"$'\n'"$bad"
}

# --- pointer files (block YAML as written by mlv) -----------------------------------------------

# yaml_get FILE KEY[.SUBKEY...]: prints a scalar (quotes stripped), or exits 1 when absent.
yaml_get() {
  python3 - "$1" "$2" <<'EOF'
import sys

def parse(lines):
    root, stack = {}, [(-1, None)]
    stack[0] = (-1, root)
    for raw in lines:
        line = raw.rstrip("\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        if stripped.startswith("- "):
            continue  # lists are not needed by the tests
        indent = len(line) - len(line.lstrip(" "))
        if ":" not in stripped:
            continue
        key, _, value = stripped.partition(":")
        key, value = key.strip().strip("'\""), value.strip()
        if value.startswith("#"):
            value = ""
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if value == "" :
            child = {}
            parent[key] = child
            stack.append((indent, child))
        elif value.startswith("{") and value.endswith("}"):
            child = {}
            for item in filter(None, (p.strip() for p in value[1:-1].split(","))):
                k, _, v = item.partition(":")
                child[k.strip().strip("'\"")] = v.strip().strip("'\"")
            parent[key] = child
        else:
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            parent[key] = value
    return root

with open(sys.argv[1]) as f:
    node = parse(f)
for part in sys.argv[2].split("."):
    if not isinstance(node, dict) or part not in node:
        sys.exit(1)
    node = node[part]
if isinstance(node, dict):
    sys.exit(1)
print(node)
EOF
}

assert_yaml() { # FILE KEY EXPECTED
  local value
  value=$(yaml_get "$1" "$2") || { check_failed "$1 has no field '$2':"$'\n'"$(cat "$1")"; return 0; }
  [[ "$value" == "$3" ]] || check_failed "$1 field '$2' is '$value', expected '$3'"
}

pointer_id() { yaml_get "$1" sha256 || fail "$1 has no sha256 field"; }

# manifest_text FILE: a remote's manifest as text (a remote with compression on stores it as a
# zstd frame; `zstd -f` passes an uncompressed one through).
# The reader may stop early (`head -1`, awk's `exit`): the text is decompressed whole first, and a
# closed pipe after that is not an error (zstd writing into one failed the caller under pipefail).
manifest_text() {
  local text
  text=$(zstd -dcqf -- "$1") || fail "cannot read manifest $1"
  (
    trap '' PIPE
    printf '%s\n' "$text"
  ) 2>/dev/null || true
}

# bundle_drop FILE ID: removes file ID's manifest from the folder bundle FILE (written back as
# text, which mlv reads as it reads a compressed one), as if the bundle had lost it.
bundle_drop() {
  manifest_text "$1" | python3 -c '
import sys
text, drop = sys.stdin.read(), sys.argv[2]
head, rest = text.split("\nmanifests ", 1)
count, rest = rest.split("\n", 1)
kept = []
while rest:
    size_line, rest = rest.split("\n", 1)
    size = int(size_line.split(" ")[1])
    body, rest = rest[:size], rest[size:]
    if ("\nid " + drop + "\n") not in "\n" + body:
        kept.append(body)
with open(sys.argv[1], "w") as out:
    out.write(head + "\nmanifests %d\n" % len(kept))
    out.write("".join("manifest %d\n%s" % (len(b), b) for b in kept))
' "$1" "$2" || fail "cannot drop $2 from bundle $1"
}

# --- json --------------------------------------------------------------------------------------

# json_get JSON_TEXT PYTHON_EXPR: evaluates EXPR with `d` bound to the parsed JSON, prints it.
json_get() {
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1" "$2" ||
    fail "cannot evaluate $2 on JSON:"$'\n'"$1"
}

# --- repositories ------------------------------------------------------------------------------

# new_repo NAME: a fresh git repository under the temp root with mlv initialised; cd into it.
new_repo() {
  local dir="$TEST_ROOT/$1"
  mkdir -p "$dir"
  cd "$dir"
  git init -q -b main
  git config user.name "mlv test"
  git config user.email "test@example.invalid"
  mlv init >/dev/null || fail "mlv init failed in $dir"
}

# A local folder remote named NAME (default "origin") under the temp root, set as default.
add_local_remote() { # [NAME] [DIR]
  local name=${1:-origin} dir=${2:-$TEST_ROOT/remote-${1:-origin}}
  mkdir -p "$dir"
  mlv remote add "$name" "$dir" --default >/dev/null || fail "mlv remote add $name $dir failed"
  REMOTE_DIR=$dir
}

commit_all() { # MESSAGE
  git add -A
  git commit -q -m "$1"
}

staged_files() { git diff --cached --name-only; }

pass() {
  [[ -s "$FAILED_CHECKS" ]] && exit 1 # the exit trap names the failed checks
  echo "$TEST_NAME: ok"
}
