#!/usr/bin/env bash
# The one test command: installs what is missing, builds into build/ (incrementally), runs
# every test with ctest, then rebuilds the unit tests with ASan + UBSan into build-asan/ and
# runs them too. Exits non-zero on any failure.
#
#   ./tests/run.sh                 everything
#   ./tests/run.sh -L storage      only one area (any ctest arguments pass through)
#   RAFTMQ_ASAN=0 ./tests/run.sh   skip the sanitizer pass
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${RAFTMQ_JOBS:-$(nproc)}

step() { printf '\n[tests/run.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step "dependencies"
./deploy/install-deps.sh

step "configure + build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"

step "ctest (build/)"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600 "$@"

# The sanitizer pass covers the units that need no gRPC: common, storage, raft core and the
# simulator (with fewer seeds: RAFTMQ_SIM_SEEDS caps them).
if [ "${RAFTMQ_ASAN:-1}" = "1" ] && [ $# -eq 0 ]; then
  step "configure + build (build-asan/, ASan + UBSan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRAFTMQ_SANITIZE=ON \
    -DRAFTMQ_WITH_GRPC=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  step "ctest (build-asan/)"
  RAFTMQ_SIM_SEEDS=${RAFTMQ_SIM_SEEDS_ASAN:-200} \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 600 -L 'storage|raft|sim'
fi

step "all tests passed ($root)"
