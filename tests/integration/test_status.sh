#!/usr/bin/env bash
# `mlv status`: up to date, modified, missing from workspace, not in cache, not on remote;
# plain and --json output; targets.
source "$(dirname "$0")/lib.sh"

# The line of the last plain output that names PATH.
status_line() {
  local line
  line=$(grep -F -- "$1" <<<"$stdout" || true)
  [[ -n "$line" ]] || fail "status output has no line for $1:"$'\n'"$stdout"
  [[ $(wc -l <<<"$line") == 1 ]] || fail "status output has several lines for $1:"$'\n'"$stdout"
  echo "$line"
}
# json_status JSON PATH: the sorted, comma-joined status values of PATH's entry.
json_status() {
  python3 - "$1" "$2" <<'PY' || fail "bad status JSON for $2:"$'\n'"$1"
import json, sys
entries = json.loads(sys.argv[1])
assert isinstance(entries, list)
hits = [e for e in entries if e["path"] == sys.argv[2]]
assert len(hits) == 1, hits
print(",".join(sorted(hits[0]["status"])))
PY
}

new_repo repo
make_random_file alpha.bin 100000
make_random_file beta.bin 110000
make_random_file models/gamma.bin 120000
make_random_file deltadir/x.bin 10000
make_random_file deltadir/y/z.bin 20000
assert_ok mlv add alpha.bin beta.bin models/gamma.bin deltadir
commit_all "models"

assert_ok mlv status
for p in alpha.bin beta.bin models/gamma.bin deltadir; do
  line=$(status_line "$p")
  assert_contains "$line" "up to date"
done

assert_ok mlv status --json
assert_eq "$(json_status "$stdout" alpha.bin)" up_to_date
assert_eq "$(json_status "$stdout" models/gamma.bin)" up_to_date
assert_eq "$(json_status "$stdout" deltadir)" up_to_date
assert_eq "$(json_get "$stdout" '[e["kind"] for e in d if e["path"]=="deltadir"][0]')" dir
assert_eq "$(json_get "$stdout" '[e["kind"] for e in d if e["path"]=="alpha.bin"][0]')" file
assert_eq "$(json_get "$stdout" 'len(d)')" 4 "number of tracked paths"

# Modified (appended), modified in place (same size), missing, not in cache.
echo "more" >>alpha.bin
sleep 0.01
flip_byte models/gamma.bin 5000
rm beta.bin
beta_id=$(pointer_id beta.bin.mlv)
gamma_id=$(pointer_id models/gamma.bin.mlv)
rm -f ".mlv/cache/files/${beta_id:0:2}/$beta_id"
make_random_file deltadir/y/new.bin 100
flip_byte deltadir/x.bin 10

assert_ok mlv status
assert_contains "$(status_line alpha.bin)" "modified"
assert_contains "$(status_line models/gamma.bin)" "modified"
assert_contains "$(status_line beta.bin)" "missing from workspace"
assert_contains "$(status_line beta.bin)" "not in cache"
assert_contains "$(status_line "deltadir: ")" "modified"
assert_not_contains "$(status_line alpha.bin)" "up to date"
# Inside a modified folder, each changed file is named, as git status lists them.
assert_contains "$(status_line "deltadir/y/new.bin")" "  added: deltadir/y/new.bin"
assert_contains "$(status_line "deltadir/x.bin")" "  modified: deltadir/x.bin"
assert_not_contains "$stdout" "deltadir/y/z.bin"

assert_ok mlv status --json
assert_eq "$(json_status "$stdout" alpha.bin)" modified
assert_eq "$(json_status "$stdout" models/gamma.bin)" modified
assert_eq "$(json_status "$stdout" beta.bin)" missing,not_in_cache
assert_eq "$(json_status "$stdout" deltadir)" modified
assert_eq "$(json_get "$stdout" '[e["changes"] for e in d if e["path"]=="deltadir"][0]')" \
  '[{"path": "x.bin", "change": "modified"}, {"path": "y/new.bin", "change": "added"}]'
assert_eq "$(json_get "$stdout" '"changes" in [e for e in d if e["path"]=="alpha.bin"][0]')" false
# A deleted file, and names with spaces and unicode deep inside.
mv deltadir/y/z.bin "$TEST_ROOT/z.bin"
mkdir -p "deltadir/ü ñ/a b/c"
make_random_file "deltadir/ü ñ/a b/c/d e.bin" 50
assert_ok mlv status --json deltadir
assert_eq "$(json_get "$stdout" '" | ".join(c["path"] + " " + c["change"] for c in d[0]["changes"])')" \
  "x.bin modified | y/new.bin added | y/z.bin deleted | ü ñ/a b/c/d e.bin added"
rm -rf "deltadir/ü ñ"
mv "$TEST_ROOT/z.bin" deltadir/y/z.bin

# Targets limit the report: a data path, a pointer path, a folder.
assert_ok mlv status alpha.bin
assert_contains "$stdout" "alpha.bin"
assert_not_contains "$stdout" "beta.bin"
assert_ok mlv status --json models/gamma.bin.mlv
assert_eq "$(json_get "$stdout" 'len(d)')" 1
assert_eq "$(json_get "$stdout" 'd[0]["path"]')" models/gamma.bin
assert_ok mlv status --json models
assert_eq "$(json_get "$stdout" '[e["path"] for e in d]')" '["models/gamma.bin"]'

# From a subfolder, paths stay repository-relative.
cd models
assert_ok mlv status --json
assert_eq "$(json_get "$stdout" 'len(d)')" 4
cd ..

# Restore: add again makes everything up to date; then "not on remote" until pushed.
rm -rf deltadir/y/new.bin
assert_ok mlv checkout --force alpha.bin models/gamma.bin deltadir
assert_ok mlv status --json alpha.bin models/gamma.bin deltadir
for p in alpha.bin models/gamma.bin deltadir; do
  assert_eq "$(json_status "$stdout" "$p")" up_to_date "status of $p after checkout --force"
done
make_random_file beta.bin 110000
assert_ok mlv add beta.bin
add_local_remote origin
assert_ok mlv status -r origin
assert_contains "$(status_line alpha.bin)" "not on remote"
assert_ok mlv status -r origin --json
assert_eq "$(json_status "$stdout" alpha.bin)" not_on_remote
assert_eq "$(json_status "$stdout" deltadir)" not_on_remote
assert_ok mlv push
assert_ok mlv status -r origin --json
for p in alpha.bin beta.bin models/gamma.bin deltadir; do
  assert_eq "$(json_status "$stdout" "$p")" up_to_date "status -r of $p after push"
done
assert_ok mlv status -r origin
assert_not_contains "$stdout" "not on remote"

# Unknown remote is an error, not a silent "up to date".
run mlv status -r nosuchremote
[[ "$status" != 0 ]] || fail "status -r nosuchremote succeeded"$'\n'"$(last_output)"
assert_contains "$output" "nosuchremote"

pass
