#!/usr/bin/env bash
# `mlv gc -r REMOTE`: deletes the packs, manifests, dir listings and folder bundles that no kept
# pointer needs,
# keeps whatever --all-commits (or the workspace) names, and spares objects newer than --grace
# (a teammate's push whose commits are not here yet). After it, every manifest left on the
# remote names only packs that exist, and a fresh clone still pulls byte for byte.
source "$(dirname "$0")/lib.sh"

# Ages every object of the remote by two days, as if pushed long ago.
age_remote() { find "$REMOTE_DIR" -type f -exec touch -d '2 days ago' {} +; }
count() { find "$REMOTE_DIR/$1" -type f 2>/dev/null | wc -l; }
# Every pack named by a manifest or folder bundle on the remote exists there.
assert_manifests_complete() {
  python3 - "$REMOTE_DIR" <<'PY' || fail "a manifest on the remote names a missing pack"
import os, re, subprocess, sys
root = sys.argv[1]
missing = []
for folder, _, files in [w for kind in ("manifests", "bundles")
                         for w in os.walk(os.path.join(root, kind))]:
    for name in files:
        # A remote with compression on stores manifests as zstd frames; -f passes text through.
        text = subprocess.run(["zstd", "-dcqf", os.path.join(folder, name)], check=True,
                              stdout=subprocess.PIPE, text=True).stdout
        for line in text.splitlines():
            words = line.split()
            if len(words) == 4 and re.fullmatch(r"[0-9a-f]{64}", words[2]):
                pack = os.path.join(root, "packs", words[2][:2], words[2])
                if not os.path.isfile(pack):
                    missing.append((name, words[2]))
if missing:
    print(missing)
    sys.exit(1)
PY
}

new_repo repo
add_local_remote origin
# Small packs, and a push per version, so each version has packs of its own.
mlv config transfer.pack_size 1000000 >/dev/null
git add .mlv/config && git commit -q -m "remote"
# Versions with nothing in common.
make_random_file m.bin 3000000
make_random_file ckpt/a.bin 400000
assert_ok mlv add m.bin ckpt
commit_all "v1"
v1_id=$(pointer_id m.bin.mlv)
ckpt1_id=$(pointer_id ckpt.mlv)
assert_ok mlv push
make_random_file m.bin 3100000
make_random_file ckpt/b.bin 300000
assert_ok mlv add m.bin ckpt
commit_all "v2"
v2_id=$(pointer_id m.bin.mlv)
ckpt2_id=$(pointer_id ckpt.mlv)
assert_ok mlv push --all-commits
age_remote
packs_before=$(count packs)

# --all-commits keeps everything.
assert_ok mlv gc -r origin --all-commits -f --grace 0s
assert_contains "$output" "Nothing to remove"
assert_eq "$(count packs)" "$packs_before" "packs after gc --all-commits"

# --dry-run names what would go and removes nothing.
assert_ok mlv gc -r origin --dry-run --json
assert_eq "$(json_get "$stdout" 'd["manifests"]')" "[\"$v1_id\"]" "manifests planned for removal"
assert_eq "$(json_get "$stdout" 'd["removed"]')" "false"
assert_eq "$(count packs)" "$packs_before" "packs after --dry-run"
# Without -f and without an answer, nothing is removed either.
assert_ok mlv gc -r origin
assert_contains "$output" "Nothing removed"
assert_eq "$(count packs)" "$packs_before" "packs after an unanswered prompt"

# A teammate pushed v3 before the commit that names it reached this clone: recent, so kept.
make_random_file m.bin 3200000
assert_ok mlv add m.bin
v3_id=$(pointer_id m.bin.mlv)
assert_ok mlv push
packs_before=$(count packs)
git checkout -q HEAD -- m.bin.mlv
assert_ok mlv checkout m.bin --force
assert_eq "$(pointer_id m.bin.mlv)" "$v2_id" "workspace back at v2"

# Only HEAD's pointers kept: v1's manifest and packs go, v2, the folder and v3 (recent) stay.
assert_ok mlv gc -r origin -f --json
assert_eq "$(json_get "$stdout" 'd["manifests"]')" "[\"$v1_id\"]" "manifests removed"
assert_ne "$(json_get "$stdout" 'len(d["packs"])')" "0" "packs removed"
assert_ne "$(json_get "$stdout" 'd["recent_kept"]')" "0" "recent objects spared"
assert_not_exists "$REMOTE_DIR/manifests/${v1_id:0:2}/$v1_id"
assert_exists "$REMOTE_DIR/manifests/${v2_id:0:2}/$v2_id"
assert_exists "$REMOTE_DIR/manifests/${v3_id:0:2}/$v3_id"
# The folder's first version goes with its bundle; the kept version's bundle stays.
assert_eq "$(json_get "$stdout" 'd["bundles"]')" "[\"$ckpt1_id\"]" "bundles removed"
assert_not_exists "$REMOTE_DIR/dirs/${ckpt1_id:0:2}/$ckpt1_id"
assert_not_exists "$REMOTE_DIR/bundles/${ckpt1_id:0:2}/$ckpt1_id"
assert_exists "$REMOTE_DIR/bundles/${ckpt2_id:0:2}/$ckpt2_id"
assert_manifests_complete
(($(count packs) < packs_before)) || fail "no pack was deleted"

# A fresh clone pulls HEAD byte for byte; v1 is gone from the remote, said clearly.
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_ok mlv pull
assert_file_eq m.bin "$TEST_ROOT/repo/m.bin"
assert_file_eq ckpt/a.bin "$TEST_ROOT/repo/ckpt/a.bin"
assert_file_eq ckpt/b.bin "$TEST_ROOT/repo/ckpt/b.bin"
assert_exit 6 mlv fetch --rev HEAD~1
assert_contains "$output" "$v1_id"

# Once v3 is old and still unnamed, it goes too; what HEAD needs stays.
cd "$TEST_ROOT/repo"
age_remote
assert_ok mlv gc -r origin -f --grace 1h --json
assert_eq "$(json_get "$stdout" 'd["manifests"]')" "[\"$v3_id\"]" "v3 collected once old"
assert_manifests_complete
assert_exit 2 mlv gc -r origin --grace soon
assert_contains "$output" "--grace"

pass
