#!/usr/bin/env bash
# Installs the Debian 12 packages raftmq builds and tests with. Idempotent: it asks apt only
# for what is missing, so a second run costs one dpkg query per package.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev prometheus-cpp-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libssl-dev
  nodejs npm  # tests/v2: the official RocketMQ 5 Node.js client against a raftmq cluster
  iproute2 procps
  iptables fuse3 libfuse3-dev  # chaos/: partitions in namespaces, raftmq-lazyfs (power loss)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-deps] all ${#packages[@]} packages present"
  exit 0
fi

echo "[install-deps] installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "[install-deps] done"
