#!/usr/bin/env bash
# Installs the Debian 12 packages raftmq builds and tests with. Idempotent: it asks apt only
# for what is missing, so a second run costs one dpkg query per package.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config lld
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev prometheus-cpp-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libssl-dev
  iproute2 procps
  iptables fuse3 libfuse3-dev  # chaos/: partitions in namespaces, raftmq-lazyfs (power loss)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$package")
done
# tests/v2 runs the official RocketMQ 5 Node.js client: any node with npm will do. A machine
# may have a Node.js whose package bundles npm (NodeSource's conflicts with Debian's npm), so
# Debian's nodejs and npm are asked for only when the commands are missing.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-deps] all ${#packages[@]} packages present, and node and npm"
  exit 0
fi

echo "[install-deps] installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "[install-deps] done"
