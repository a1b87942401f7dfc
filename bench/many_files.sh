#!/usr/bin/env bash
# A folder of many small files tracked as one (a dataset, a tokenizer folder, sharded
# checkpoints), against restic and the aws cli in the same run:
#   (a) `mlv add` of 10,000 files of 4-32 KiB (~180 MB) vs `restic backup` of the same folder to a
#       local repository:                                                      <= 0.5x
#   (b) re-add and `mlv status` of the unchanged folder:                       <= 0.3 s each
#   (c) `mlv push` to s3rver vs `aws s3 sync` of the folder up:                <= 0.25x
#       `mlv pull` into an empty clone vs `aws s3 sync` down:                  <= 0.5x
#   (d) one file changed: re-add plus push:                                    <= 1.0 s
#   (e) peak memory of add, status, push, pull and checkout on 100,000 files:  <= 200 MiB each
# BENCH_FILES and BENCH_MEMORY_FILES change the two folder sizes. Needs restic and awscli
# (installed when missing) and the test servers (`./setup.sh test` runs npm ci in tests/servers).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_packages restic

FILES=${BENCH_FILES:-10000}
MEMORY_FILES=${BENCH_MEMORY_FILES:-100000}
start_s3rver bench

# Writes COUNT files of MIN..MAX random bytes into FOLDER, 100 to a subfolder (reproducible).
make_folder() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import os, random, sys
folder, count, low, high = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
generator = random.Random(12)
for index in range(count):
    sub = os.path.join(folder, f"shard{index // 100:04d}")
    if index % 100 == 0:
        os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"sample{index:06d}.bin"), "wb") as out:
        # A tag first: random bytes may begin like a pickle, which the safety scan of pull
        # and checkout rightly refuses to clear.
        out.write(b"smpl" + generator.randbytes(generator.randint(low, high) - 4))
PY
}

# Prints the seconds of mlv COMMAND... and the peak RSS in KiB, separated by a space.
seconds_and_rss_of() {
  local start seconds
  sync
  start=$(date +%s%N)
  run_quietly /usr/bin/time -v -o "$WORK/time-v.txt" "$MLV" "$@"
  seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
  echo "$seconds $(awk -F': *' '/Maximum resident set size/ { print $2 }' "$WORK/time-v.txt")"
}

section "$FILES files of 4-32 KiB; restic $(restic version | cut -d' ' -f2); s3rver on $ENDPOINT"
new_repo "$WORK/repo"
mlv -q remote add origin s3://bench/mlv --default
mlv -q remote modify origin endpointurl "$ENDPOINT"
git commit -q -a -m "S3 remote"
make_folder data "$FILES" 4096 32768
folder_bytes=$(bytes_in data)
info "folder: $FILES files, $((folder_bytes / MIB)) MiB"
warm data/*/*

# (a) restic backup to a fresh local repository, then mlv add into an empty cache.
export RESTIC_PASSWORD=bench RESTIC_CACHE_DIR=$WORK/restic-cache
run_quietly restic init --repo "$WORK/restic"
restic_seconds=$(seconds_of restic backup --quiet --repo "$WORK/restic" data)
read -r add_seconds add_rss < <(seconds_and_rss_of add data)
git add -A
git commit -q -m "data v1"
info "restic backup: $restic_seconds s"
info "mlv add:       $add_seconds s ($((add_rss / 1024)) MiB)"
check "(a) mlv add / restic backup" "$(ratio "$add_seconds" "$restic_seconds")" 0.5 x

# (b) nothing changed.
readd_seconds=$(median_seconds_of mlv add data)
status_seconds=$(median_seconds_of mlv status)
check "(b) mlv add, unchanged folder" "$readd_seconds" 0.3 s
check "(b) mlv status, unchanged folder" "$status_seconds" 0.3 s

# (c) up and down: aws s3 sync, then mlv push and a fresh clone's mlv pull.
sync_up=$(seconds_of aws s3 sync --quiet data s3://bench/aws/data)
push_seconds=$(seconds_keeping_output mlv push --json)
info "aws s3 sync up:   $sync_up s"
info "mlv push:         $push_seconds s   $(cat "$WORK/last-stdout")"
check "(c) mlv push / aws s3 sync (upload)" "$(ratio "$push_seconds" "$sync_up")" 0.25 x
git clone -q "$WORK/repo" "$WORK/clone"
sync_down=$(seconds_of aws s3 sync --quiet s3://bench/aws/data "$WORK/down")
cd "$WORK/clone"
pull_seconds=$(seconds_keeping_output mlv pull --json)
info "aws s3 sync down: $sync_down s"
info "mlv pull:         $pull_seconds s   $(cat "$WORK/last-stdout")"
diff -r -q data "$WORK/repo/data" >/dev/null || {
  echo "$BENCH_NAME: the pulled folder differs from the pushed one" >&2
  exit 2
}
check "(c) mlv pull / aws s3 sync (download)" "$(ratio "$pull_seconds" "$sync_down")" 0.5 x

# (d) one file changed, then re-add and push.
cd "$WORK/repo"
changed=$((FILES / 2))
printf -v changed_path 'data/shard%04d/sample%06d.bin' $((changed / 100)) "$changed"
[[ -f "$changed_path" ]] || {
  echo "$BENCH_NAME: no $changed_path to change" >&2
  exit 2
}
head -c 9000 /dev/urandom >"$changed_path"
change_seconds=$(seconds_of bash -c '"$0" -q add data && "$0" -q push' "$MLV")
check "(d) one file changed: re-add + push" "$change_seconds" 1.0 s

# (e) peak memory with many more files (1-2 KiB each, to keep the disk use small).
section "peak memory with $MEMORY_FILES files of 1-2 KiB"
new_repo "$WORK/big"
mlv -q remote add origin "$WORK/big-remote" --default
git commit -q -a -m "local remote"
make_folder data "$MEMORY_FILES" 1024 2048
read -r _ rss < <(seconds_and_rss_of add data)
check "(e) mlv add peak memory" "$((rss / 1024))" 200 MiB
git add -A
git commit -q -m "data"
read -r _ rss < <(seconds_and_rss_of status)
check "(e) mlv status peak memory" "$((rss / 1024))" 200 MiB
read -r _ rss < <(seconds_and_rss_of push)
check "(e) mlv push peak memory" "$((rss / 1024))" 200 MiB
git clone -q "$WORK/big" "$WORK/big-clone"
cd "$WORK/big-clone"
read -r _ rss < <(seconds_and_rss_of pull)
check "(e) mlv pull peak memory" "$((rss / 1024))" 200 MiB
rm -rf data
read -r _ rss < <(seconds_and_rss_of checkout data)
check "(e) mlv checkout peak memory" "$((rss / 1024))" 200 MiB
finish
