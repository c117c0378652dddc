#!/usr/bin/env bash
# Quick start: installs what is missing, builds, starts a nameserver and one 3-node broker
# group on 127.0.0.1, and sends and receives a few messages.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n[quickstart %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step "dependencies"
./deploy/install-deps.sh

step "build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

if [ ! -x deploy/local-cluster.sh ] || [ ! -x build/broker/raftmq-broker ]; then
  step "the broker is not built yet in this version: nothing to start."
  echo "What exists: the storage engine and Raft module, exercised by ./tests/run.sh."
  exit 0
fi
