#!/usr/bin/env bash
# `mlv add`: pointer contents, cache object, .gitignore upkeep, staging, metadata, directories,
# re-adding unchanged and changed files, and the errors for bad paths.
source "$(dirname "$0")/lib.sh"

new_repo repo
mkdir -p models
cp "$MLV_FIXTURES/rf_small.joblib" models/rf_small.joblib
expected_id=$(sha256_of models/rf_small.joblib)
expected_size=$(stat -c %s models/rf_small.joblib)

assert_ok mlv add models/rf_small.joblib --metric accuracy=0.93 --param n_estimators=8 \
  --meta owner=alice
pointer=models/rf_small.joblib.mlv
assert_exists "$pointer"
assert_yaml "$pointer" version 1
assert_yaml "$pointer" path rf_small.joblib
assert_yaml "$pointer" kind file
assert_yaml "$pointer" sha256 "$expected_id"
assert_yaml "$pointer" size "$expected_size"
assert_yaml "$pointer" format joblib
assert_yaml "$pointer" meta.metrics.accuracy 0.93
assert_yaml "$pointer" meta.params.n_estimators 8
assert_yaml "$pointer" meta.owner alice
# A comment line on top says what the file is.
[[ "$(head -c1 "$pointer")" == "#" ]] || fail "pointer has no comment line on top:"$'\n'"$(cat "$pointer")"

# The cache holds the exact bytes, read-only, under files/<2 hex>/<id>.
object=".mlv/cache/files/${expected_id:0:2}/$expected_id"
assert_file_eq "$object" models/rf_small.joblib
assert_eq "$(stat -c %a "$object")" 444 "mode of cache object"
# The data file itself is untouched.
assert_sha256 models/rf_small.joblib "$expected_id"

# .gitignore of the file's folder names the data file; git ignores it.
grep -qxF "/rf_small.joblib" models/.gitignore || fail "models/.gitignore lacks /rf_small.joblib:"$'\n'"$(cat models/.gitignore)"
git check-ignore -q models/rf_small.joblib || fail "git does not ignore models/rf_small.joblib"
if git check-ignore -q "$pointer"; then fail "git ignores the pointer file"; fi

# The pointer and the .gitignore are staged; the data file is not.
staged=$(staged_files)
assert_line_with "$staged" "models/rf_small.joblib.mlv"
assert_line_with "$staged" "models/.gitignore"
[[ "$(grep -cx 'models/rf_small.joblib' <<<"$staged" || true)" == 0 ]] || fail "data file was staged"

# Re-adding an unchanged file keeps the pointer byte-identical and adds no second .gitignore line.
git commit -q -m "add rf"
cp "$pointer" "$TEST_ROOT/pointer.before"
assert_ok mlv add models/rf_small.joblib --metric accuracy=0.93 --param n_estimators=8 \
  --meta owner=alice
assert_file_eq "$pointer" "$TEST_ROOT/pointer.before"
assert_eq "$(grep -cxF '/rf_small.joblib' models/.gitignore)" 1 "gitignore entries for rf_small.joblib"
assert_eq "$(git status --porcelain -- models)" "" "git status after unchanged re-add"

# Changing the file and adding again records the new content.
cp "$MLV_FIXTURES/rf_small_zlib3.joblib" models/rf_small.joblib
new_id=$(sha256_of models/rf_small.joblib)
assert_ne "$new_id" "$expected_id"
assert_ok mlv add models/rf_small.joblib
assert_yaml "$pointer" sha256 "$new_id"
assert_yaml "$pointer" size "$(stat -c %s models/rf_small.joblib)"
assert_file_eq ".mlv/cache/files/${new_id:0:2}/$new_id" models/rf_small.joblib
# The old version stays in the cache.
assert_exists ".mlv/cache/files/${expected_id:0:2}/$expected_id"
assert_line_with "$(staged_files)" "models/rf_small.joblib.mlv"

# A file at the root, added from a subfolder with a relative path, and two paths at once.
git commit -q -m "v2"
make_random_file top.bin 200000
make_random_file models/extra.bin 100000
cd models
assert_ok mlv add ../top.bin extra.bin
cd ..
assert_yaml top.bin.mlv path top.bin
assert_yaml top.bin.mlv sha256 "$(sha256_of top.bin)"
assert_yaml models/extra.bin.mlv sha256 "$(sha256_of models/extra.bin)"
grep -qxF "/top.bin" .gitignore || fail ".gitignore lacks /top.bin"
grep -qxF "/extra.bin" models/.gitignore || fail "models/.gitignore lacks /extra.bin"
grep -qxF "/rf_small.joblib" models/.gitignore || fail "models/.gitignore lost /rf_small.joblib"

# --no-stage writes the pointer but leaves the index alone.
git commit -q -m "more"
make_random_file unstaged.bin 50000
assert_ok mlv add unstaged.bin --no-stage
assert_exists unstaged.bin.mlv
assert_eq "$(staged_files)" "" "staged files after --no-stage"

# --json prints valid JSON.
make_random_file json.bin 1000
assert_ok mlv add json.bin --json
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$stdout" || fail "add --json printed invalid JSON: $stdout"

# A directory: kind dir, files count, and every file in the cache.
mkdir -p ckpt/sub
make_random_file ckpt/a.bin 30000
make_random_file ckpt/b.bin 40000
make_random_file ckpt/sub/c.bin 50000
assert_ok mlv add ckpt
assert_yaml ckpt.mlv kind dir
assert_yaml ckpt.mlv path ckpt
assert_yaml ckpt.mlv files 3
assert_yaml ckpt.mlv size 120000
dir_id=$(pointer_id ckpt.mlv)
[[ "$dir_id" =~ ^[0-9a-f]{64}$ ]] || fail "dir id '$dir_id' is not 64 hex"
for f in ckpt/a.bin ckpt/b.bin ckpt/sub/c.bin; do
  id=$(sha256_of "$f")
  assert_file_eq ".mlv/cache/files/${id:0:2}/$id" "$f"
done
grep -qxF "/ckpt" .gitignore || grep -qxF "/ckpt/" .gitignore || fail ".gitignore lacks /ckpt"
git check-ignore -q ckpt/sub/c.bin || fail "git does not ignore files inside ckpt/"
# Re-adding the unchanged dir gives the same id; changing one file changes it.
assert_ok mlv add ckpt
assert_yaml ckpt.mlv sha256 "$dir_id"
make_random_file ckpt/b.bin 40000
assert_ok mlv add ckpt
assert_ne "$(pointer_id ckpt.mlv)" "$dir_id" "dir id after changing a file"

# Names with spaces and glob characters: the .gitignore entry matches exactly that file.
git commit -q -m "before odd names"
make_random_file "odd dir/model [v1] *final*.bin" 3000
make_random_file "odd dir/model v1 final.bin" 3000
assert_ok mlv add "odd dir/model [v1] *final*.bin"
assert_yaml "odd dir/model [v1] *final*.bin.mlv" path "model [v1] *final*.bin"
git check-ignore -q "odd dir/model [v1] *final*.bin" || fail "git does not ignore the odd-named file"
if git check-ignore -q "odd dir/model v1 final.bin"; then
  fail "the .gitignore entry for 'model [v1] *final*.bin' also ignores 'model v1 final.bin':"$'\n'"$(cat "odd dir/.gitignore")"
fi
rm "odd dir/model [v1] *final*.bin"
assert_ok mlv checkout "odd dir/model [v1] *final*.bin"
assert_yaml "odd dir/model [v1] *final*.bin.mlv" sha256 "$(sha256_of "odd dir/model [v1] *final*.bin")"

# Errors: missing file (non-zero, names it), a path outside the repo (4), an uninitialised repo (3).
assert_exit_nonzero() { run "$@"; [[ "$status" != 0 ]] || fail "'$*' succeeded"$'\n'"$(last_output)"; }
assert_exit_nonzero mlv add no_such_model.bin
assert_contains "$output" "no_such_model.bin"
assert_not_exists no_such_model.bin.mlv

make_random_file "$TEST_ROOT/outside.bin" 1000
assert_exit 4 mlv add "$TEST_ROOT/outside.bin"
assert_not_exists "$TEST_ROOT/outside.bin.mlv"
assert_exit 4 mlv add ../outside.bin
assert_not_exists "$TEST_ROOT/outside.bin.mlv"

mkdir -p "$TEST_ROOT/bare" && cd "$TEST_ROOT/bare"
git init -q -b main
make_random_file f.bin 1000
assert_exit 3 mlv add f.bin
assert_not_exists f.bin.mlv
cd "$TEST_ROOT"
assert_exit 3 mlv add "$TEST_ROOT/outside.bin"

pass
