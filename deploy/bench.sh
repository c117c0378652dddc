#!/usr/bin/env bash
# bench.sh: raftmq's throughput in the scenarios of ../shared/peers (NATS JetStream R3,
# RabbitMQ quorum queues), on a fresh local cluster — a nameserver and one 3-node group on
# 127.0.0.1 in a temp dir, stopped and deleted on exit — so the RESULT lines compare when run
# in the same session:
#
#   deploy/bench.sh [--build DIR] [--port-base P] [--nameserver-port P] [--set key=value]...
#                   [-- raftmq bench flags: --sync N --async N --window W --size BYTES ...]
#
# Builds nothing: run ./tests/run.sh or the quick start first (a Release build in
# build-release/ gives the honest numbers: --build build-release). Prints the bench's
# progress, its [bench] phase lines and `RESULT raftmq ...`.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="build"
cluster_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build_dir="${2:?--build needs a directory}"; shift 2 ;;
    --port-base|--nameserver-port|--set) cluster_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --) shift; break ;;
    *) echo "bench: unknown option '$1'" >&2; sed -n '7,8p' "$0" >&2; exit 2 ;;
  esac
done
for binary in broker/raftmq-broker nameserver/raftmq-nameserver src/cli/raftmq; do
  [ -x "$build_dir/$binary" ] || { echo "bench: $build_dir/$binary is missing (build first)" >&2; exit 1; }
done

cluster_dir="$(mktemp -d "${TMPDIR:-/tmp}/raftmq-bench.XXXXXX")"
finish() {
  ./deploy/local-cluster.sh stop --dir "$cluster_dir" >/dev/null 2>&1 || true
  rm -rf "$cluster_dir"
}
trap finish EXIT
./deploy/local-cluster.sh start --dir "$cluster_dir" --build "$build_dir" "${cluster_args[@]}"
nameserver="127.0.0.1:$(. "$cluster_dir/cluster.env"; echo "${nameserver_port:-9876}")"
"$build_dir/src/cli/raftmq" --nameserver "$nameserver" bench "$@"
