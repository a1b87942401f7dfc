#!/usr/bin/env bash
# mlv against the aws cli on the same S3 server (s3rver from tests/servers, on 127.0.0.1), in one
# run, with the same file:
#   (a) `mlv push` of a 1 GiB model vs `aws s3 cp` up:                       <= 1.0x
#   (b) push of its second version with 5% of the bytes changed: bytes sent  <= 6% of the file,
#       time <= 0.15x the aws cp upload
#   (c) `mlv pull` into an empty cache vs `aws s3 cp` down:                   <= 1.0x;
#       peak memory of the pull                                              <= 150 MiB
#   (d) requests per GiB pushed and pulled, from the --json summaries:       <= 64
# Needs the test servers (`./setup.sh test` runs npm ci in tests/servers) and awscli.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

SIZE=${BENCH_SIZE:-$GIB}
start_s3rver bench
section "s3rver on $ENDPOINT; $((SIZE / MIB)) MiB model; aws-cli $(/usr/bin/aws --version 2>&1 | cut -d' ' -f1)"

# --- data and repositories --------------------------------------------------------------------
new_repo "$WORK/repo"
mlv -q remote add origin s3://bench/mlv --default
mlv -q remote modify origin endpointurl "$ENDPOINT"
git commit -q -a -m "S3 remote"
make_random_file model.bin "$SIZE"
mlv -q add model.bin
git commit -q -m "v1"
warm model.bin

# (a) upload: aws cp, then mlv push of the same bytes.
aws_up=$(seconds_of aws s3 cp --quiet model.bin s3://bench/aws/model.bin)
start=$(date +%s%N)
push_json=$(mlv push --json)
push_seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
info "aws s3 cp up:   $aws_up s"
info "mlv push:       $push_seconds s   $push_json"
check "(a) mlv push / aws s3 cp (upload)" "$(ratio "$push_seconds" "$aws_up")" 1.0 x
push_requests=$(json_field requests <<<"$push_json")

# (b) the second version, 5% changed in 50 scattered regions.
python3 "$BENCH_DIR/change_bytes.py" model.bin 0.05 50 >/dev/null
mlv -q add model.bin
git commit -q -m "v2: 5% changed"
start=$(date +%s%N)
push2_json=$(mlv push --json)
push2_seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
sent=$(json_field bytes_sent <<<"$push2_json")
info "mlv push v2:    $push2_seconds s   $push2_json"
check "(b) v2 bytes sent / file size" "$(awk -v a="$sent" -v s="$SIZE" 'BEGIN { printf "%.3f", 100 * a / s }')" 6 %
check "(b) v2 push / aws s3 cp (upload)" "$(ratio "$push2_seconds" "$aws_up")" 0.15 x

# (c) download into an empty cache: aws cp down, then a fresh clone's mlv pull.
git clone -q "$WORK/repo" "$WORK/clone"
cd "$WORK/clone"
rm -f "$WORK/down.bin"
aws_down=$(seconds_of aws s3 cp --quiet s3://bench/aws/model.bin "$WORK/down.bin")
rm -f "$WORK/down.bin"
sync
start=$(date +%s%N)
/usr/bin/time -v -o "$WORK/pull-time.txt" "$MLV" pull --json >"$WORK/pull.json"
pull_seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
pull_json=$(cat "$WORK/pull.json")
pull_rss=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$WORK/pull-time.txt")
cmp -s model.bin "$WORK/repo/model.bin" || {
  echo "$BENCH_NAME: the pulled file differs from the pushed one" >&2
  exit 2
}
info "aws s3 cp down: $aws_down s"
info "mlv pull:       $pull_seconds s   $pull_json"
check "(c) mlv pull / aws s3 cp (download)" "$(ratio "$pull_seconds" "$aws_down")" 1.0 x
check "(c) mlv pull peak memory" "$((pull_rss / 1024))" 150 MiB
pull_requests=$(json_field requests <<<"$pull_json")

# (d) requests per GiB.
check "(d) push requests per GiB" "$(awk -v r="$push_requests" -v s="$SIZE" -v g="$GIB" 'BEGIN { printf "%.1f", r * g / s }')" 64 req
check "(d) pull requests per GiB" "$(awk -v r="$pull_requests" -v s="$SIZE" -v g="$GIB" 'BEGIN { printf "%.1f", r * g / s }')" 64 req
finish
