#!/usr/bin/env bash
# Sets up a Debian 12 machine for mlv, builds it, and runs the demo or the whole test suite.
#
#   ./setup.sh demo    install what is missing, build, run scripts/demo.sh
#   ./setup.sh test    install what is missing, build, run ctest and the format check
#   ./setup.sh build   install what is missing, build
#   ./setup.sh sanitize  build with clang and the address/undefined sanitizers into build-asan/,
#                      run the test suite against that build, then each fuzz target briefly
#   ./setup.sh fuzz    build the fuzz targets into build-asan/ and run each for a while
#
# Only Debian packages that are not installed yet are installed (apt-get, as root or with sudo);
# nothing else is downloaded. MLV_BUILD_DIR overrides the build folder (default: build/),
# MLV_ASAN_BUILD_DIR the sanitized one (default: build-asan/); MLV_WERROR=ON makes compiler
# warnings errors (CI sets it); MLV_FUZZ_SECONDS is how long each fuzz target runs, MLV_FUZZ_SEED
# with which random seed.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=${MLV_BUILD_DIR:-$REPO_ROOT/build}
ASAN_BUILD_DIR=${MLV_ASAN_BUILD_DIR:-$REPO_ROOT/build-asan}
WERROR=${MLV_WERROR:-OFF}

# What building, testing and the demo need. python3 runs helpers of the integration tests.
PACKAGES=(
  build-essential cmake pkg-config git
  libgit2-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
  libcli11-dev libyaml-cpp-dev libgtest-dev libgmock-dev libexpat1-dev
  libisal-dev libbz2-dev liblzma-dev liblz4-dev libzstd-dev
  clang-format python3
)
# What the test suite adds: servers it starts on 127.0.0.1 (nginx with WebDAV; s3rver and Azurite
# from npm, pinned in tests/servers/package-lock.json) and the aws cli that reads what mlv pushed;
# the libraries whose real model files the scanner's benign corpus test writes with /usr/bin/python3.
TEST_PACKAGES=(nginx libnginx-mod-http-dav-ext awscli
  python3-numpy python3-scipy python3-sklearn python3-joblib python3-torch python3-pandas
  python3-xgboost python3-lz4 lz4 zstd)
# What the sanitized build and the fuzz targets add: clang and its libFuzzer/sanitizer runtimes.
SANITIZE_PACKAGES=(clang libclang-rt-14-dev)

usage() {
  cat <<EOF
Usage: ./setup.sh COMMAND

Installs the Debian packages mlv needs (only those missing), builds mlv into
${BUILD_DIR#"$REPO_ROOT"/}/ with CMake, then:

  demo    runs scripts/demo.sh: a model added, committed, pushed to a local-folder
          remote, cloned, pulled and checked with sha256sum
  test    runs the whole test suite (ctest) and the clang-format check
  build   stops after the build
  sanitize  builds with clang, -fsanitize=address,undefined and the fuzz targets into
          ${ASAN_BUILD_DIR#"$REPO_ROOT"/}/, runs the test suite against that build, then each
          fuzz target for MLV_FUZZ_SECONDS (default 20) over its seeds
  fuzz    builds the same, then runs each fuzz target for MLV_FUZZ_SECONDS (default 300)
          (docs/fuzzing.md)

Environment: MLV_BUILD_DIR       build folder (default: build/)
             MLV_ASAN_BUILD_DIR  sanitized build folder (default: build-asan/)
             MLV_WERROR          ON: compiler warnings are errors (CI sets it)
             MLV_FUZZ_SECONDS    seconds each fuzz target runs
             MLV_FUZZ_SEED       libFuzzer's random seed (sanitize: 1, so a run repeats;
                                 fuzz: 0, a new one each run)
EOF
}

say() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'setup.sh: %s\n' "$1" >&2
  [[ -n "${2:-}" ]] && printf '  hint: %s\n' "$2" >&2
  exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "installing packages needs root, and sudo is not installed" \
      "run ./setup.sh as root, or install sudo"
  fi
}

# Prints the packages of "$@" that dpkg does not report as installed, one a line.
missing_packages() {
  local package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || printf '%s\n' "$package"
  done
}

install_packages() {
  local wanted=("$@")
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    die "dpkg-query and apt-get are not available" \
      "setup.sh supports Debian 12; elsewhere install the packages listed in it and build by hand"
  fi
  local missing
  mapfile -t missing < <(missing_packages "${wanted[@]}")
  if ((${#missing[@]} == 0)); then
    say "All ${#wanted[@]} required Debian packages are installed"
    return
  fi
  say "Installing missing Debian packages: ${missing[*]}"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  as_root "${apt[@]}" update ||
    die "apt-get update failed" "check the machine's apt sources and network access"
  # Packages such as nginx start a system service on install; the tests start their own on
  # 127.0.0.1, so a policy-rc.d (only if the machine has none) keeps services from starting.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy" &&
      added_policy=yes
  fi
  local status=0
  as_root "${apt[@]}" install --no-install-recommends "${missing[@]}" || status=$?
  [[ -z $added_policy ]] || as_root rm -f "$policy"
  ((status == 0)) || die "apt-get install failed for: ${missing[*]}" "see apt-get's message above"
  mapfile -t missing < <(missing_packages "${wanted[@]}")
  ((${#missing[@]} == 0)) || die "still not installed after apt-get: ${missing[*]}"
}

build() {
  say "Configuring with CMake into $BUILD_DIR"
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DMLV_WERROR="$WERROR"
  say "Building with $(nproc) jobs"
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

# The sanitized build: clang, address and undefined-behaviour sanitizers, the fuzz targets.
build_sanitized() {
  say "Configuring the sanitized build (clang, MLV_FUZZ) into $ASAN_BUILD_DIR"
  cmake -S "$REPO_ROOT" -B "$ASAN_BUILD_DIR" -DCMAKE_CXX_COMPILER=clang++ -DMLV_FUZZ=ON \
    -DMLV_WERROR="$WERROR" -DMLV_BUILD_TESTS="${1:-ON}"
  say "Building the sanitized build with $(nproc) jobs"
  cmake --build "$ASAN_BUILD_DIR" -j"$(nproc)"
}

# Sanitizer reports fail the program that has them: a test, or a fuzz run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$REPO_ROOT/fuzz/lsan.supp}

# Runs each fuzz target for $1 seconds over its seeds (fuzz/make_seeds.sh) and the corpus it
# grew before; fails when any reports a crash, a sanitizer finding, a timeout or too much memory.
# $2 is libFuzzer's random seed: a fixed one makes a run repeatable, 0 picks a new one each time.
run_fuzzers() {
  local seconds=$1 random_seed=$2 seeds=$ASAN_BUILD_DIR/fuzz-seeds failed=() target name
  "$REPO_ROOT/fuzz/make_seeds.sh" "$seeds"
  mkdir -p "$ASAN_BUILD_DIR/fuzz-findings"
  for target in "$ASAN_BUILD_DIR"/fuzz/fuzz_*; do
    [[ -x $target ]] || continue
    name=${target##*/fuzz_}
    say "Fuzzing $name for ${seconds}s"
    mkdir -p "$ASAN_BUILD_DIR/fuzz-corpus/$name"
    "$target" -max_total_time="$seconds" -seed="$random_seed" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 \
      -artifact_prefix="$ASAN_BUILD_DIR/fuzz-findings/$name-" \
      "$ASAN_BUILD_DIR/fuzz-corpus/$name" "$seeds/$name" 2>&1 | tail -n 40 ||
      failed+=("$name")
  done
  if ((${#failed[@]} > 0)); then
    die "fuzz targets with findings: ${failed[*]}" \
      "the inputs are in $ASAN_BUILD_DIR/fuzz-findings/; rerun one with: $ASAN_BUILD_DIR/fuzz/fuzz_NAME FILE"
  fi
  say "No fuzz target found anything"
}

run_demo() {
  say "Running the demo (scripts/demo.sh)"
  MLV="$BUILD_DIR/mlv" bash "$REPO_ROOT/scripts/demo.sh"
}

# Node.js and npm for the test servers: Debian's, unless the machine already has node and npm.
# Then the servers themselves, exactly as pinned in the lockfile.
install_test_servers() {
  local packages=("${TEST_PACKAGES[@]}")
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
  install_packages "${packages[@]}"
  local dir=$REPO_ROOT/tests/servers
  # node_modules/.mlv-lock is the lockfile of the last `npm ci` that completed.
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.mlv-lock"; then
    say "Installing the test servers (npm ci in tests/servers)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ||
      die "npm ci failed in tests/servers" "see npm's message above"
    cp "$dir/package-lock.json" "$dir/node_modules/.mlv-lock"
  fi
}

# Runs the unit and integration tests of build folder $1 (default: the normal one), then the
# format check; fails if either failed.
run_tests() {
  local failed=() dir=${1:-$BUILD_DIR}
  say "Running the test suite (ctest) of $dir"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 || failed+=(ctest)
  say "Checking formatting (clang-format)"
  cmake --build "$dir" --target check-format || failed+=(check-format)
  if ((${#failed[@]} > 0)); then
    die "failed: ${failed[*]}" "see the output above"
  fi
  say "All tests passed and formatting is clean"
}

main() {
  local command=${1:-}
  case "$command" in
    demo | test | build | sanitize | fuzz) ;;
    -h | --help | help)
      usage
      return 0
      ;;
    "")
      usage >&2
      return 2
      ;;
    *)
      usage >&2
      die "unknown command '$command'"
      ;;
  esac
  (($# == 1)) || die "too many arguments: $*" \
    "give one command: demo, test, build, sanitize or fuzz"

  install_packages "${PACKAGES[@]}"
  [[ $command != test && $command != sanitize ]] || install_test_servers
  case "$command" in
    sanitize)
      install_packages "${SANITIZE_PACKAGES[@]}"
      build_sanitized
      run_tests "$ASAN_BUILD_DIR"
      run_fuzzers "${MLV_FUZZ_SECONDS:-20}" "${MLV_FUZZ_SEED:-1}"
      return
      ;;
    fuzz)
      install_packages "${SANITIZE_PACKAGES[@]}"
      build_sanitized OFF
      run_fuzzers "${MLV_FUZZ_SECONDS:-300}" "${MLV_FUZZ_SEED:-0}"
      return
      ;;
  esac
  build
  case "$command" in
    demo) run_demo ;;
    test) run_tests ;;
    build) say "Built $BUILD_DIR/mlv" ;;
  esac
}

main "$@"
