#!/usr/bin/env bash
# Malformed pointers are bad input (exit 4) naming the pointer file and the field, and never make
# mlv write outside the repository; a missing cache object is exit 6 with a `mlv pull` hint; a
# corrupted pack on the remote fails the pull with exit 5 and writes no workspace file.
source "$(dirname "$0")/lib.sh"

new_repo repo
make_random_file good.bin 50000
cp good.bin "$TEST_ROOT/good.orig"
assert_ok mlv add good.bin
commit_all "good"
good_id=$(pointer_id good.bin.mlv)
good_size=$(stat -c %s good.bin)

# Each case: a pointer evil.bin.mlv whose one defect is described; the object it names exists in
# the cache, so a checkout that skipped validation would write its bytes somewhere.
write_pointer() { # PATH_VALUE SHA SIZE [EXTRA_LINE]
  {
    echo "# mlv pointer"
    echo "version: 1"
    echo "path: $1"
    echo "kind: file"
    [[ -n "$2" ]] && echo "sha256: $2"
    echo "size: $3"
    echo "format: unknown"
    [[ -n "${4:-}" ]] && echo "$4"
  } >evil.bin.mlv
  return 0
}
expect_bad_pointer() { # FIELD_WORD DESCRIPTION
  local cmd
  for cmd in "checkout" "status" "checkout evil.bin" "verify"; do
    # shellcheck disable=SC2086
    assert_exit 4 mlv $cmd
    assert_contains "$output" "evil.bin.mlv" "'mlv $cmd' message for $2"
    [[ -z "$1" ]] || assert_contains "$output" "$1" "'mlv $cmd' message for $2"
  done
  # Nothing written outside the repository, nor any evil.bin inside it.
  assert_not_exists "$TEST_ROOT/evil.bin"
  assert_not_exists "$TEST_ROOT/escape/evil.bin"
  assert_not_exists evil.bin
  local written
  written=$(find "$TEST_ROOT" \( -path "$TEST_ROOT/repo" -o -path "$TEST_ROOT/home" \) -prune -o \
    -newer "$TEST_ROOT/marker" -type f -print | grep -v -e '/\.run\.' || true)
  [[ -z "$written" ]] || fail "files written outside the repository for $2:"$'\n'"$written"
  # The good file is untouched.
  assert_file_eq good.bin "$TEST_ROOT/good.orig"
}
touch "$TEST_ROOT/marker"
mkdir -p "$TEST_ROOT/escape"

printf '# mlv pointer\nversion: 1\npath: [evil.bin\nsha256: %s\n' "$good_id" >evil.bin.mlv
expect_bad_pointer "" "bad YAML"

write_pointer evil.bin "" "$good_size"
expect_bad_pointer "sha256" "missing sha256"

write_pointer evil.bin "$(printf 'zq%.0s' {1..32})" "$good_size"
expect_bad_pointer "sha256" "non-hex sha256"

write_pointer evil.bin "${good_id:0:40}" "$good_size"
expect_bad_pointer "sha256" "short sha256"

write_pointer evil.bin "$good_id" -5
expect_bad_pointer "size" "negative size"

write_pointer ../escape/evil.bin "$good_id" "$good_size"
expect_bad_pointer "path" "path with .."

write_pointer "$TEST_ROOT/escape/evil.bin" "$good_id" "$good_size"
expect_bad_pointer "path" "absolute path"

write_pointer "sub/../../escape/evil.bin" "$good_id" "$good_size"
expect_bad_pointer "path" "path with .. in the middle"

write_pointer evil.bin "$good_id" "$good_size"
sed -i 's/^kind: file$/kind: sideways/' evil.bin.mlv
expect_bad_pointer "kind" "unknown kind"

sed -i 's/^version: 1$/version: 99/' evil.bin.mlv
sed -i 's/^kind: sideways$/kind: file/' evil.bin.mlv
expect_bad_pointer "version" "unsupported version"

# With the bad pointer gone, everything works again.
rm evil.bin.mlv
assert_ok mlv status
assert_ok mlv checkout

# Bad argument values are bad input too.
make_random_file other.bin 100
assert_exit 4 mlv add other.bin --metric accuracy
assert_contains "$output" "accuracy"
assert_not_exists other.bin.mlv

# A missing cache object: 6 with a `mlv pull` hint.
chmod u+w ".mlv/cache/files/${good_id:0:2}"
rm -f ".mlv/cache/files/${good_id:0:2}/$good_id"
rm good.bin
assert_exit 6 mlv checkout
assert_contains "$output" "good.bin"
assert_contains "$output" "mlv pull"
assert_not_exists good.bin
cp "$TEST_ROOT/good.orig" good.bin
assert_ok mlv add good.bin

# A corrupted pack on the remote: pull fails with 5, names the object, writes no workspace file.
make_seeded_file big.bin 1000000 big
big_id=$(sha256_of big.bin)
assert_ok mlv add big.bin
add_local_remote origin "$TEST_ROOT/store"
commit_all "big"
assert_ok mlv push
pack_names=()
while IFS= read -r pack; do
  pack_names+=("$(basename "$pack")")
  flip_byte "$pack" $(($(stat -c %s "$pack") / 2))
done < <(find "$TEST_ROOT/store/packs" -type f)
[[ ${#pack_names[@]} -ge 1 ]] || fail "no packs to corrupt"
git clone -q "$TEST_ROOT/repo" "$TEST_ROOT/clone"
cd "$TEST_ROOT/clone"
assert_exit 5 mlv pull big.bin
named=0
for n in "${pack_names[@]}" "$big_id" big.bin; do [[ "$output" == *"$n"* ]] && named=1; done
((named)) || fail "pull of a corrupted pack names neither the pack, the file id nor big.bin:"$'\n'"$output"
assert_not_exists big.bin
assert_not_exists ".mlv/cache/files/${big_id:0:2}/$big_id"
assert_objects_named_by_content .mlv/cache/files
# The other file, whose pack may be intact or not, is never written with wrong bytes.
[[ ! -e good.bin ]] || assert_file_eq good.bin "$TEST_ROOT/good.orig"

pass
