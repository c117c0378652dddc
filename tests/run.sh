#!/usr/bin/env bash
# The one test command: installs what is missing, builds into build/ (incrementally) with
# warnings as errors, runs every test with ctest, then runs the sanitizer passes. Exits
# non-zero on any failure. CI (.ci/run) runs it as is on a fresh 2-core machine.
#
#   ./tests/run.sh                 everything: plain pass, ASan + UBSan pass, TSan pass
#   ./tests/run.sh -L storage      only the plain pass of one area (ctest arguments pass through)
#   RAFTMQ_ASAN=0 ./tests/run.sh   skip the ASan + UBSan pass
#   RAFTMQ_TSAN=0 ./tests/run.sh   skip the TSan pass
#
# The passes:
#   plain  build/       every test (RelWithDebInfo, -Werror).
#   asan   build-asan/  the whole program (broker, client, nameserver, raft::Node, transport,
#                       storage, raft core) under AddressSanitizer + UndefinedBehaviorSanitizer
#                       (leaks included), every test except `deploy` (the scripts drive the
#                       same binaries as `e2e`) and fewer simulator seeds (RAFTMQ_SIM_SEEDS_ASAN).
#   tsan   build-tsan/  ThreadSanitizer over the tests of every threaded component: common
#                       (BackgroundWorker), raft (Node, transport), broker, client, nameserver
#                       (their tests run broker and nameserver processes too). Not run: e2e
#                       (the same processes again, for CI's time budget) and the
#                       single-threaded units (storage, raft core, simulator, cli, deploy),
#                       which are not even built.
# Child processes (brokers, nameservers started by the tests) inherit the sanitizer options
# and write their reports under <build dir>/sanitizer-logs/: a pass fails when a report is
# there even if the test that started the process passed. Suppressions (third-party code only,
# one comment each) are in tests/sanitizers/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${RAFTMQ_JOBS:-$(nproc)}

step() { printf '\n[tests/run.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step "dependencies"
./deploy/install-deps.sh

step "configure + build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAFTMQ_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

step "ctest (build/)"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600 "$@"

# Any ctest arguments select part of the plain pass only.
[ $# -eq 0 ] || { step "all selected tests passed ($root)"; exit 0; }

# Fails when any process of the pass left a sanitizer report in `logs`.
check_sanitizer_logs() {
  local logs="$1"
  if compgen -G "$logs/*" >/dev/null; then
    for log in "$logs"/*; do printf '\n=== %s\n' "$log"; cat "$log"; done
    echo "tests/run.sh: sanitizer reports above (from $logs)" >&2
    return 1
  fi
}

# sanitizer_pass NAME DIR SANITIZE CTEST_ARGS... : configure, build what the selected tests
# need, run them with reports collected under DIR/sanitizer-logs.
sanitizer_pass() {
  local name="$1" dir="$2" sanitize="$3"
  shift 3
  step "configure + build ($dir/, $name)"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRAFTMQ_SANITIZE="$sanitize" \
    -DRAFTMQ_BUILD_ALL_TESTS="$([ "$sanitize" = thread ] && echo OFF || echo ON)" >/dev/null
  cmake --build "$dir" -j "$jobs"
  local logs="$root/$dir/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  step "ctest ($dir/, $name)"
  local supp="$root/tests/sanitizers"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$logs/asan" \
  LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp:log_path=$logs/ubsan" \
  TSAN_OPTIONS="suppressions=$supp/tsan.supp:second_deadlock_stack=1:log_path=$logs/tsan" \
  RAFTMQ_SIM_SEEDS=${RAFTMQ_SIM_SEEDS_ASAN:-200} \
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900 "$@"
  check_sanitizer_logs "$logs"
}

if [ "${RAFTMQ_ASAN:-1}" = "1" ]; then
  sanitizer_pass "ASan + UBSan" build-asan address -LE deploy
fi
if [ "${RAFTMQ_TSAN:-1}" = "1" ]; then
  sanitizer_pass "TSan" build-tsan thread -L 'common|raft|broker|client|nameserver'
fi

step "all tests passed ($root)"
