#!/usr/bin/env bash
# `mlv add` checks every path before it writes anything: names a pointer cannot hold, missing
# paths, overlaps with folders tracked as one, a PATH.mlv standing for PATH; and a file git
# already tracks leaves the index (as `git rm --cached`) while the workspace keeps it.
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file keep.bin 1000
assert_ok mlv add keep.bin
commit_all "keep"

# Names a pointer cannot hold are refused before anything is written, naming path and reason;
# every other command keeps working.
make_random_file 'w\1.bin' 1000
assert_exit 4 mlv add 'w\1.bin'
assert_contains "$output" 'w\1.bin'
assert_contains "$output" "backslash"
assert_not_exists 'w\1.bin.mlv'
assert_eq "$(cat .gitignore)" "/keep.bin" ".gitignore after refused names"
make_random_file $'new\nline.bin' 1000
assert_exit 4 mlv add $'new\nline.bin'
assert_contains "$output" "control character"
assert_not_exists $'new\nline.bin.mlv'
mkdir -p bad_dir && make_random_file 'bad_dir/a\b.bin' 100
assert_exit 4 mlv add bad_dir
assert_contains "$output" 'bad_dir/a\b.bin'
assert_not_exists bad_dir.mlv
assert_eq "$(staged_files)" "" "staged after refused names"
assert_ok mlv status
assert_ok mlv checkout
rm -rf 'w\1.bin' $'new\nline.bin' bad_dir

# Several paths: all are checked first, so a bad one leaves nothing half done.
make_random_file a.bin 2000
assert_ok mlv add a.bin
commit_all "a"
make_random_file b.bin 2000
make_random_file c.bin 2000
make_random_file d.bin 2000
assert_exit 6 mlv add d.bin nosuch.bin
assert_contains "$output" "nosuch.bin"
assert_not_exists d.bin.mlv
assert_eq "$(staged_files)" "" "staged after a refused multi-path add"
# A PATH.mlv stands for PATH, as `mlv add *` expands to: b, a (unchanged) and c are all added.
assert_ok mlv add b.bin a.bin.mlv c.bin
for f in a b c; do assert_yaml "$f.bin.mlv" sha256 "$(sha256_of "$f.bin")"; done
assert_eq "$(staged_files)" $'.gitignore\nb.bin.mlv\nc.bin.mlv' "staged after adding b, a and c"
# The same file twice counts once.
commit_all "b c"
make_random_file e.bin 2000
assert_ok mlv add e.bin e.bin.mlv e.bin
assert_eq "$(grep -cxF '/e.bin' .gitignore)" 1 ".gitignore lines for e.bin"
commit_all "e"

# A folder whose files mlv tracks already is refused, naming them and what to do.
mkdir -p models
make_random_file models/m1.bin 3000
make_random_file models/m2.bin 3000
assert_ok mlv add models/m1.bin models/m2.bin
commit_all "models"
assert_exit 4 mlv add models
assert_contains "$output" "models/m1.bin.mlv"
assert_contains "$output" "models/m2.bin.mlv"
assert_contains "$output" "mlv remove models/m1.bin models/m2.bin"
assert_not_exists models.mlv
assert_eq "$(git status --porcelain)" "" "git status after a refused folder add"
# Doing what the hint says tracks the folder as one, with only its model files in it.
assert_ok mlv remove models/m1.bin models/m2.bin
assert_not_exists models/.gitignore
assert_ok mlv add models
assert_yaml models.mlv files 2
commit_all "models as one"
# ... and so is a file inside a folder tracked as one.
mkdir -p ckpt
make_random_file ckpt/w.bin 3000
assert_ok mlv add ckpt
commit_all "ckpt"
make_random_file ckpt/new.bin 100
assert_exit 4 mlv add ckpt/new.bin
assert_contains "$output" "ckpt.mlv"
assert_not_exists ckpt/new.bin.mlv
assert_not_exists ckpt/.gitignore
# ... and a folder together with a file inside it.
mkdir -p fresh && make_random_file fresh/x.bin 100
assert_exit 4 mlv add fresh fresh/x.bin
assert_not_exists fresh.mlv
assert_not_exists fresh/x.bin.mlv

# A damaged pointer's hint says to re-run `mlv add`: that works, and writes a valid pointer.
printf '# mlv pointer\nversion: 1\npath: [a.bin\n' >a.bin.mlv
assert_exit 4 mlv status a.bin
assert_contains "$output" "mlv add"
assert_ok mlv add a.bin
assert_yaml a.bin.mlv sha256 "$(sha256_of a.bin)"
assert_ok mlv status a.bin
# ... but a pointer a newer mlv wrote is not downgraded.
cp a.bin.mlv "$TEST_ROOT/a.pointer"
sed -i 's/^version: 1$/version: 2/' a.bin.mlv
cp a.bin.mlv "$TEST_ROOT/a.v2"
assert_exit 4 mlv add a.bin
assert_contains "$output" "upgrade mlv"
assert_file_eq a.bin.mlv "$TEST_ROOT/a.v2"
cp "$TEST_ROOT/a.pointer" a.bin.mlv

# A file git tracks: add takes it out of the index (the bytes live in mlv now), keeps the file.
make_random_file ingit.bin 5000
cp ingit.bin "$TEST_ROOT/ingit.orig"
git add ingit.bin && git commit -q -m "ingit in git"
assert_ok mlv add ingit.bin
assert_contains "$stderr" "git no longer tracks ingit.bin"
assert_eq "$(git ls-files ingit.bin)" "" "git ls-files ingit.bin after add"
assert_file_eq ingit.bin "$TEST_ROOT/ingit.orig"
assert_line_with "$(git status --porcelain)" "D  ingit.bin"
assert_line_with "$(git status --porcelain)" "A  ingit.bin.mlv"
git commit -q -m "ingit in mlv"
assert_eq "$(git ls-tree -r --name-only HEAD | grep -c '^ingit.bin$' || true)" 0 "ingit.bin in HEAD"
# With --no-stage the index is left alone, with a warning saying what to run.
make_random_file ingit2.bin 100
git add ingit2.bin && git commit -q -m "ingit2 in git"
assert_ok mlv add --no-stage ingit2.bin
assert_contains "$stderr" "git rm -r --cached ingit2.bin"
assert_eq "$(git ls-files ingit2.bin)" "ingit2.bin" "git ls-files ingit2.bin after add --no-stage"
# A folder git tracks, likewise.
mkdir -p gitdir && make_random_file gitdir/one.bin 100 && make_random_file gitdir/two.bin 100
git add gitdir && git commit -q -m "gitdir in git"
assert_ok mlv add gitdir
assert_contains "$stderr" "2 files under gitdir"
assert_eq "$(git ls-files gitdir)" "" "git ls-files gitdir after add"
assert_exists gitdir/one.bin

pass
