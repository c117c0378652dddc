#!/usr/bin/env bash
# run.sh: a chaos run against a real raftmq cluster built from this tree — a nameserver and
# broker groups in network namespaces, a seeded schedule of faults, a workload that records
# every send, then a check of what the cluster promised and a report.
#
#   chaos/run.sh --duration SECONDS --nemesis LIST|all --seed S [--nodes 3|5] [--groups N]
#                [--flush async|sync] [--out DIR] [--build DIR] [--loopback] [raftmq-chaos flags]
#
# LIST is comma-separated: kill-leader kill-random kill-minority pause-leader pause-random
# partition-leader partition-halves partition-ring partition-bridge partition-oneway disk-full
# power-loss; `all` is a random mix of every one. Without root (or without `ip netns`) it runs
# on 127.0.0.1 (--loopback), where only kill and pause exist. The same --seed replays the same
# schedule. Other flags go to raftmq-chaos as they are (`build/chaos/raftmq-chaos --help`).
#
# Prints one line per fault while it runs, then the summary, the seed and where the report is
# (DIR/report.html: the picture; DIR/result.json; DIR/summary.txt). Exit status: 0 every
# invariant held; 1 one broke (a lost message, diverged logs, a node that would not come back;
# every node's log and data are kept under DIR); 2 bad usage or no cluster.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build_dir="$here/../build"
seed=""
out_dir=""
loopback=""
nemesis=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build_dir="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --nemesis) nemesis="$2"; shift 2 ;;
    --loopback) loopback=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -n "$nemesis" ] || { echo "run.sh: --nemesis LIST|all is required (--help)" >&2; exit 2; }
seed="${seed:-$(( $(date +%s) % 1000000 ))}"
out_dir="${out_dir:-/tmp/raftmq-chaos-seed$seed-$(date +%Y%m%dT%H%M%S)}"
build_dir="$(cd "$build_dir" 2>/dev/null && pwd)" || { echo "run.sh: no build directory (build first, or --build DIR)" >&2; exit 2; }
for binary in chaos/raftmq-chaos broker/raftmq-broker nameserver/raftmq-nameserver; do
  [ -x "$build_dir/$binary" ] || { echo "run.sh: missing $build_dir/$binary (cmake --build $build_dir --target chaos_binaries)" >&2; exit 2; }
done

# Namespaces need root and a working `ip netns`; otherwise fall back to 127.0.0.1.
if [ -z "$loopback" ]; then
  probe="raftmq-chaos-probe-$$"
  if [ "$(id -u)" -ne 0 ] || ! ip netns add "$probe" 2>/dev/null; then
    echo "run.sh: no network namespaces here (needs root and ip netns): running on 127.0.0.1 (--loopback)"
    loopback=1
  else
    ip netns delete "$probe"
    command -v iptables > /dev/null || { echo "run.sh: iptables is missing (deploy/install-deps.sh)" >&2; exit 2; }
  fi
fi
if [ -n "$loopback" ]; then
  args+=(--loopback)
elif [[ ",$nemesis," =~ ,(all|power-loss), ]] && [ ! -x "$build_dir/chaos/raftmq-lazyfs" ]; then
  echo "run.sh: power-loss needs $build_dir/chaos/raftmq-lazyfs (libfuse3-dev: deploy/install-deps.sh)" >&2; exit 2
fi


exec "$build_dir/chaos/raftmq-chaos" --build "$build_dir" --seed "$seed" --out "$out_dir" --nemesis "$nemesis" "${args[@]}"
