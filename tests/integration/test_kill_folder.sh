#!/usr/bin/env bash
# A folder of 3,000 small files (4-32 KiB; names with spaces and unicode, a path 12 folders deep)
# tracked as one folder, with kill -9 in the middle of each command that writes it:
#   (a) `mlv add`: a re-run completes, `mlv verify` passes, a fresh checkout is byte for byte the
#       original, and `mlv gc --grace` sweeps what the killed add left in the cache's tmp/;
#   (a') `mlv push`: the folder is not on the remote until a re-run completes it;
#   (b) `mlv pull` in a second clone, killed while fetching and again while checking out: a re-run
#       gets every byte, `mlv status` is clean;
#   (c) `mlv checkout` of another version of the folder in that clone: a re-run leaves exactly
#       that version;
#   (d) 10 files deleted and 1 changed, re-added, pushed and pulled: the clone's folder matches.
# After every kill: no object under a content-addressed name has wrong content, and no workspace
# file under its final name has bytes of neither version (temporaries aside).
# Each kill comes when a poll sees the command's files appear (not after a fixed sleep), and a
# command that finished before it could be killed fails the test: it proved nothing.
source "$(dirname "$0")/lib.sh"

FILES=3000

# kill_when MIN DIR... -- CMD...: runs CMD and SIGKILLs it as soon as the folders DIR... hold at
# least MIN files (recursively); fails the test when CMD ends first. Its output goes to
# $TEST_ROOT/killed.log.
kill_when() {
  python3 - "$@" <<'EOF' || fail "kill_when $*: the command was not killed partway"
import os, subprocess, sys, time
args = sys.argv[1:]
split = args.index("--")
minimum, folders, command = int(args[0]), args[1:split], args[split + 1:]

def count():
    return sum(len(names) for folder in folders for _, _, names in os.walk(folder))

with open(os.path.join(os.environ["TEST_ROOT"], "killed.log"), "ab") as log:
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    seen = 0
    while child.poll() is None:
        seen = count()
        if seen >= minimum or time.monotonic() > deadline:
            child.kill()
            break
        time.sleep(0.002)
    code = child.wait()
if seen < minimum or code != -9:
    print(f"{' '.join(command)} was not killed partway: exit {code}, {seen} of {minimum} "
          "files seen (it finished first, or saw too few in 120 s)", file=sys.stderr)
    sys.exit(1)
if os.environ.get("KILL_DEBUG"):
    print(f"killed {' '.join(command)} at {seen} files", file=sys.stderr)
EOF
}
export TEST_ROOT

# Files under DIR (temporaries aside) whose bytes are those of none of the SNAPSHOT folders at the
# same path: a partial or wrong file under its final name. One per line.
wrong_files() { # DIR SNAPSHOT...
  python3 - "$@" <<'EOF'
import os, re, sys
top, snapshots = sys.argv[1], sys.argv[2:]
temporary = re.compile(r"^\..+\.tmp-[0-9a-z]{12}$")
for folder, _, names in os.walk(top):
    for name in names:
        if temporary.match(name):
            continue
        path = os.path.join(folder, name)
        relative = os.path.relpath(path, top)
        with open(path, "rb") as f:
            data = f.read()
        ok = False
        for snapshot in snapshots:
            try:
                with open(os.path.join(snapshot, relative), "rb") as f:
                    ok = ok or f.read() == data
            except FileNotFoundError:
                pass
        if not ok:
            print(relative)
EOF
}
assert_no_wrong_files() { # DIR SNAPSHOT...
  local wrong
  wrong=$(wrong_files "$@")
  [[ -z "$wrong" ]] || check_failed "files under $1 with bytes of no version:"$'\n'"$(head -5 <<<"$wrong")"
}

# The folder equals SNAPSHOT exactly: the same paths (no stray, none missing), the same bytes.
assert_same_tree() { # DIR SNAPSHOT
  local differences
  differences=$(diff -r "$1" "$2" 2>&1) || true
  [[ -z "$differences" ]] || check_failed "$1 differs from $2:"$'\n'"$(head -10 <<<"$differences")"
}

assert_status_clean() {
  assert_ok mlv status
  assert_eq "$stdout" "data: up to date" "mlv status in $PWD"
}

count_files() { find "$@" -type f 2>/dev/null | wc -l; }

# --- the folder: v1 as a snapshot outside the repository ----------------------------------------
# Files start with a fixed tag: random bytes may begin like a pickle, which the safety scan
# cannot clear (a suspicious folder is refused by checkout and pull: not what this test is about).
python3 - "$TEST_ROOT/v1" "$FILES" <<'EOF'
import os, random, sys
top, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(12)
for i in range(count):
    if i < 20:
        relative = f"with space/file {i:04}.bin"
    elif i < 40:
        relative = f"données/é ü {i:04}.bin"
    elif i < 60:
        relative = "/".join(f"level{k}" for k in range(12)) + f"/deep {i:04}.bin"
    else:
        relative = f"s{i % 50:02}/f{i:05}.bin"
    if i == 20:
        relative = "données/é ü.bin"
    path = os.path.join(top, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"smpl" + rng.randbytes(rng.randint(4096, 32768) - 4))
EOF
assert_eq "$(count_files "$TEST_ROOT/v1")" "$FILES" "files generated"

new_repo repo
cp -a "$TEST_ROOT/v1" data

# (a) kill -9 `mlv add data` once its objects fill the cache's tmp/ (before the batch's commit),
# then re-run it.
kill_when 600 .mlv/cache/tmp .mlv/cache/files -- "$MLV" add data
assert_objects_named_by_content .mlv/cache/files
leftovers=$(count_files .mlv/cache/tmp)
assert_ok mlv add data
assert_yaml data.mlv files "$FILES"
assert_ok mlv verify
assert_contains "$stdout" "verified $FILES cache objects and $FILES workspace files"
# A fresh checkout reproduces every byte.
mv data "$TEST_ROOT/added"
assert_ok mlv checkout data
assert_same_tree data "$TEST_ROOT/v1"
# What the killed add left in tmp/ is garbage nothing reads: gc keeps it while it is younger than
# the grace period (the add might still be running), and removes it after.
((leftovers > 0)) || check_failed "the killed add left nothing in the cache's tmp/ (killed too late?)"
assert_ok mlv gc -f
assert_eq "$(count_files .mlv/cache/tmp)" "$leftovers" "tmp/ entries after gc within the grace period"
find .mlv/cache/tmp -type f -exec touch -d '2 days ago' {} +
assert_ok mlv gc -f
assert_line_with "$stdout" "$leftovers temporary file(s)" "older than 24h"
assert_contains "$stdout" "Removed; freed"
assert_eq "$(count_files .mlv/cache/tmp)" "0" "tmp/ entries after gc past the grace period"
assert_status_clean
commit_all "data v1"
add_local_remote origin "$TEST_ROOT/store"
mlv config transfer.pack_size 1000000 >/dev/null # ~60 packs, so the push can be cut midway
git add .mlv/config && git commit -q -m "remote"
# (a') kill -9 `mlv push` once packs reach the remote: the folder is not there yet (no listing,
# so no clone can see half of it), and a re-run sends what is missing, not everything again.
data_id=$(pointer_id data.mlv)
kill_when 10 "$TEST_ROOT/store/packs" -- "$MLV" push
assert_not_exists "$TEST_ROOT/store/dirs/${data_id:0:2}/$data_id"
assert_objects_named_by_content "$TEST_ROOT/store/packs"
total=$(du -sb "$TEST_ROOT/v1" | cut -f1)
assert_ok mlv push --json
(($(json_get "$stdout" 'd["bytes_sent"]') < total)) ||
  check_failed "the push after the kill sent everything again: $stdout"
assert_exists "$TEST_ROOT/store/dirs/${data_id:0:2}/$data_id"
assert_objects_named_by_content "$TEST_ROOT/store/packs"

# (b) In a second clone, kill -9 `mlv pull` while it fetches (objects appear in the cache), then
# while it checks out (files appear in the folder); a third pull completes.
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
kill_when 600 .mlv/cache/tmp .mlv/cache/files -- "$MLV" pull
assert_objects_named_by_content .mlv/cache/files
assert_no_wrong_files data "$TEST_ROOT/v1"
kill_when 600 data -- "$MLV" pull
assert_objects_named_by_content .mlv/cache/files
assert_no_wrong_files data "$TEST_ROOT/v1"
assert_ok mlv pull
assert_same_tree data "$TEST_ROOT/v1"
assert_status_clean
assert_ok mlv verify

# (c) v2 of the folder: 500 files rewritten, 200 deleted, 800 added (in zz_new/, which checkout
# reaches last), pushed. The clone, at v1, fetches it; kill -9 `mlv checkout data` of v2 there
# once zz_new/ starts filling: at that moment every file holds v1's or v2's bytes; a re-run leaves
# exactly v2.
cd "$TEST_ROOT/repo"
python3 - data <<'EOF'
import os, random, sys
top = sys.argv[1]
rng = random.Random(34)

def write(relative):
    path = os.path.join(top, relative)
    if os.path.exists(path):
        os.remove(path)  # a new file, whatever cache.type placed there
    with open(path, "wb") as f:
        f.write(b"smpl" + rng.randbytes(rng.randint(4096, 32768) - 4))

for i in range(60, 560):
    write(f"s{i % 50:02}/f{i:05}.bin")
for i in range(560, 760):
    os.remove(os.path.join(top, f"s{i % 50:02}/f{i:05}.bin"))
os.makedirs(os.path.join(top, "zz_new"))
for i in range(800):
    write(f"zz_new/n{i:04}.bin")
EOF
cp -a data "$TEST_ROOT/v2"
assert_ok mlv add data
assert_yaml data.mlv files "$((FILES - 200 + 800))"
commit_all "data v2"
assert_ok mlv push
cd "$TEST_ROOT/clone"
git pull -q
assert_ok mlv fetch
kill_when 100 data/zz_new -- "$MLV" checkout data
assert_no_wrong_files data "$TEST_ROOT/v1" "$TEST_ROOT/v2"
assert_ne "$(count_files data/zz_new)" "800" "zz_new/ files right after the kill (killed too late?)"
assert_ok mlv checkout data
assert_same_tree data "$TEST_ROOT/v2"
assert_status_clean

# (d) 10 files deleted and 1 changed, re-added and pushed; the clone pulls: its folder is exactly
# the new version, the deleted files gone.
cd "$TEST_ROOT/repo"
deleted=("with space/file 0001.bin" "données/é ü.bin" "level0/level1/level2/level3/level4/level5/level6/level7/level8/level9/level10/level11/deep 0041.bin")
for i in 0 1 2 3 4 5 6; do deleted+=("zz_new/n000$i.bin"); done
for path in "${deleted[@]}"; do rm "data/$path"; done
chmod u+w "data/s10/f00110.bin"
printf 'changed' >>"data/s10/f00110.bin"
assert_ok mlv add data
assert_yaml data.mlv files "$((FILES - 200 + 800 - 10))"
commit_all "data v3"
assert_ok mlv push
cd "$TEST_ROOT/clone"
git pull -q
assert_ok mlv pull
assert_same_tree data "$TEST_ROOT/repo/data"
for path in "${deleted[@]}"; do assert_not_exists "data/$path"; done
assert_file_eq "data/s10/f00110.bin" "$TEST_ROOT/repo/data/s10/f00110.bin"
assert_status_clean

pass
