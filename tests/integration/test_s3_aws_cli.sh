#!/usr/bin/env bash
# What mlv pushes to S3 is plain and correct for any client: the aws cli downloads the manifest
# (the same bytes mlv writes to a folder remote), the dir listing (named by its SHA-256), packs
# (named by their SHA-256, ending in the "MLVPACK1" footer), and a reader that knows only the
# documented formats rebuilds the file from them. The other way round, mlv pulls from objects
# the aws cli copied under another prefix.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/servers.sh"
source "$LIB_DIR/server_s3.sh"

start_s3rver shared
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY

new_repo repo
make_seeded_file models/net.bin 2500000 net
make_random_file saved/variables.bin 150000
printf 'saved model graph\n' >saved/saved_model.pb
assert_ok mlv add models/net.bin saved
commit_all "models"
add_local_remote folder "$TEST_ROOT/folder-remote"
assert_ok mlv push -r folder
add_s3_remote origin s3://shared/repo1
assert_ok mlv push -r origin

net_id=$(pointer_id models/net.bin.mlv)
dir_id=$(pointer_id saved.mlv)
down="$TEST_ROOT/downloaded"
mkdir -p "$down"

# The manifest: the same bytes mlv wrote to the folder remote.
assert_ok aws_s3 s3 cp "s3://shared/repo1/manifests/${net_id:0:2}/$net_id" "$down/manifest"
assert_file_eq "$down/manifest" "$TEST_ROOT/folder-remote/manifests/${net_id:0:2}/$net_id"
# Compression is on by default: one zstd frame of the text docs/formats-manifest.md describes.
assert_ok zstd -dq "$down/manifest" -o "$down/manifest.txt"
mv "$down/manifest.txt" "$down/manifest"
assert_eq "$(head -1 "$down/manifest")" "mlv-manifest 1" "manifest header"
assert_contains "$(cat "$down/manifest")" "id $net_id"

# The dir listing: named by the SHA-256 of its bytes.
assert_ok aws_s3 s3 cp "s3://shared/repo1/dirs/${dir_id:0:2}/$dir_id" "$down/listing"
assert_sha256 "$down/listing" "$dir_id"
assert_contains "$(cat "$down/listing")" "saved_model.pb"

# The layout file: the same layout as the folder remote's, and an id of its own.
assert_ok aws_s3 s3 cp s3://shared/repo1/mlv-remote.yaml "$down/mlv-remote.yaml"
assert_eq "$(grep -v '^id:' "$down/mlv-remote.yaml")" \
  "$(grep -v '^id:' "$TEST_ROOT/folder-remote/mlv-remote.yaml")" "layout files"
s3_remote_id=$(sed -n 's/^id: \([0-9a-f]\{32\}\)$/\1/p' "$down/mlv-remote.yaml")
folder_remote_id=$(sed -n 's/^id: \([0-9a-f]\{32\}\)$/\1/p' "$TEST_ROOT/folder-remote/mlv-remote.yaml")
[[ -n "$s3_remote_id" && -n "$folder_remote_id" ]] || fail "a layout file without a remote id"
assert_ne "$s3_remote_id" "$folder_remote_id" "the ids of two remotes"

# Packs: each named by its content and ending in the documented footer.
assert_ok aws_s3 s3 cp --recursive s3://shared/repo1/packs/ "$down/packs/"
assert_objects_named_by_content "$down/packs"
packs=$(find "$down/packs" -type f | wc -l)
[[ $packs -ge 1 ]] || fail "no packs downloaded"
while read -r pack; do
  magic=$(tail -c 64 "$pack" | head -c 8)
  assert_eq "$magic" "MLVPACK1" "footer magic of $(basename "$pack")"
done < <(find "$down/packs" -type f)

# A reader that knows only docs/formats-manifest.md rebuilds the file from what aws downloaded.
python3 - "$down/manifest" "$down/packs" "$down/rebuilt" <<'EOF'
import hashlib, os, sys
manifest, packs, out = sys.argv[1:]
lines = open(manifest).read().split("\n")
assert lines[-1] == "", "manifest must end with a newline"
size = int(lines[2].split()[1])
count = int(lines[4].split()[1])
entries = [l.split() for l in lines[5:-1]]
assert len(entries) == count, (len(entries), count)
with open(out, "wb") as target:
    for chunk_id, length, pack_id, offset in entries:
        with open(os.path.join(packs, pack_id[:2], pack_id), "rb") as pack:
            pack.seek(int(offset))
            data = pack.read(int(length))
        assert hashlib.sha256(data).hexdigest() == chunk_id, chunk_id
        target.write(data)
assert os.path.getsize(out) == size
EOF
assert_sha256 "$down/rebuilt" "$net_id"
assert_file_eq "$down/rebuilt" models/net.bin

# mlv reads objects another client wrote: copy the remote with the aws cli, pull from the copy.
assert_ok aws_s3 s3 sync s3://shared/repo1/ s3://shared/copied/
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
add_s3_remote copy s3://shared/copied
assert_ok mlv pull -r copy
assert_file_eq models/net.bin "$TEST_ROOT/repo/models/net.bin"
assert_file_eq saved/variables.bin "$TEST_ROOT/repo/saved/variables.bin"
assert_file_eq saved/saved_model.pb "$TEST_ROOT/repo/saved/saved_model.pb"

pass
