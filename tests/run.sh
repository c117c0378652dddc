#!/usr/bin/env bash
# The one test command: installs what is missing, builds into build/ (incrementally) with
# warnings as errors, runs every test with ctest, then runs the sanitizer passes. Exits
# non-zero on any failure. CI (.ci/run) runs it as is on a fresh 2-core machine.
#
#   ./tests/run.sh                 everything: plain pass, ASan + UBSan pass, TSan pass
#   ./tests/run.sh -L storage      only the plain pass of one area (ctest arguments pass through)
#   RAFTMQ_ASAN=0 ./tests/run.sh   skip the ASan + UBSan pass
#   RAFTMQ_TSAN=0 ./tests/run.sh   skip the TSan pass
#   RAFTMQ_UNITY=1 ./tests/run.sh  unity builds in every pass (CI: .ci/run sets it)
#
# The passes:
#   plain  build/       every test (RelWithDebInfo, -Werror).
#   asan   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer (leaks included) over the
#                       whole program: the tests of common, storage, raft (Core, Node, gRPC
#                       transport), sim (RAFTMQ_SIM_SEEDS_ASAN seeds, 200), broker, nameserver
#                       and client, with the broker and nameserver processes they start.
#   tsan   build-tsan/  ThreadSanitizer over every threaded component: common
#                       (BackgroundWorker), raft (Node, gRPC transport), broker (BrokerNode,
#                       services, long polling, delay scheduler, checkpoint flusher, a real
#                       in-process group and real broker processes), nameserver (route
#                       table, real processes) and client (unit tests, PushConsumer and
#                       PullConsumer against real processes; ProducerIntegration is left
#                       out, see tsan_labels below).
# Child processes (brokers, nameservers started by the tests) inherit the sanitizer options
# and write their reports under <build dir>/sanitizer-logs/: a pass fails when a report is
# there even if the test that started the process passed. Suppressions (third-party code only,
# one comment each) are in tests/sanitizers/.
#
# CI budget (40 minutes on 2 cores, no ccache; README "Testing" has the estimate): the
# sanitizer passes build only the test areas they run (RAFTMQ_TEST_AREAS), through the target
# raftmq_tests (test binaries and the processes they start; not the CLI, not the chaos
# harness): not cli, deploy, chaos and e2e, the heavy real-process tests whose code the
# broker, client and nameserver tests already run. The whole-program ASan pass replaced the
# one without gRPC rather than adding a third pass. ASan builds at -O0 and TSan at -O1
# (CMakeLists.txt says why). Each pass runs its tests with ctest -j (cores). Building is
# most of the time, so CI compiles in unity batches (RAFTMQ_UNITY=1, CMakeLists.txt:
# RAFTMQ_UNITY_BUILD) and links with LLD. If the run passes 40 minutes, the next levers are
# RAFTMQ_SIM_SEEDS_ASAN (200) and fewer ASan areas.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${RAFTMQ_JOBS:-$(nproc)}
unity=$([ "${RAFTMQ_UNITY:-0}" = "1" ] && echo ON || echo OFF)

step() { printf '\n[tests/run.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step "dependencies"
./deploy/install-deps.sh

step "configure + build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAFTMQ_WERROR=ON -DRAFTMQ_UNITY_BUILD=$unity >/dev/null
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

# sanitizer_pass NAME DIR "CMAKE_ARGS" CTEST_ARGS... : configure, build, run the selected
# tests with reports collected under DIR/sanitizer-logs.
sanitizer_pass() {
  local name="$1" dir="$2" cmake_args="$3"
  shift 3
  step "configure + build ($dir/, $name)"
  # shellcheck disable=SC2086 # cmake_args is a list of -D flags
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRAFTMQ_UNITY_BUILD=$unity $cmake_args >/dev/null
  cmake --build "$dir" -j "$jobs" --target raftmq_tests
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

# What each pass builds (RAFTMQ_TEST_AREAS) and runs (ctest labels): see the header.
asan_areas="common;storage;raft;sim;broker;nameserver;client"
tsan_areas="common;raft;broker;nameserver;client"
asan_cmake="-DRAFTMQ_SANITIZE=address -DRAFTMQ_TEST_AREAS=$asan_areas"
tsan_cmake="-DRAFTMQ_SANITIZE=thread -DRAFTMQ_TEST_AREAS=$tsan_areas"
asan_labels=(-L "support|${asan_areas//;/|}")
# ProducerIntegration is left out of TSan: the producer avoids groups whose sends were slow
# (LatencyFaultTolerance, RocketMQ's rule), and every send through a TSan broker is slow, so
# sends skew away from the round-robin those tests assert (seen: 101 and 299 sends on two
# queues instead of 200 each, and no TSan report). It runs under ASan; the producer's threads
# run under TSan through the PushConsumer suites and the unit tests.
tsan_labels=(-L "support|${tsan_areas//;/|}" -E "^ProducerIntegration\.")
if [ "${RAFTMQ_ASAN:-1}" = "1" ]; then
  sanitizer_pass "ASan + UBSan" build-asan "$asan_cmake" "${asan_labels[@]}"
fi
if [ "${RAFTMQ_TSAN:-1}" = "1" ]; then
  sanitizer_pass "TSan" build-tsan "$tsan_cmake" "${tsan_labels[@]}"
fi

step "all tests passed ($root)"
