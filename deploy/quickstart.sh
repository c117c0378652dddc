#!/usr/bin/env bash
# Quick start: installs what is missing, builds, then runs a short session against a local
# cluster (a nameserver and one 3-node broker group on 127.0.0.1, in a temp dir): creates a
# topic, sends and receives messages with the `raftmq` CLI, kills the group's leader with
# kill -9, shows the group electing a new one, sends and receives again. The cluster is
# stopped on exit, whatever happens. Everything shown is the real output of the commands.
#
#   deploy/quickstart.sh [--demo-only] [--build DIR] [--port-base P] [--nameserver-port P]
#
# --demo-only skips installing and building (the tests run it this way, on other ports).
set -euo pipefail
cd "$(dirname "$0")/.."

demo_only=0 build_dir="build"
cluster_ports=()
while [ $# -gt 0 ]; do
  case "$1" in
    --demo-only) demo_only=1; shift ;;
    --build) build_dir="${2:?--build needs a directory}"; shift 2 ;;
    --port-base|--nameserver-port) cluster_ports+=("$1" "${2:?$1 needs a port}"); shift 2 ;;
    *) echo "quickstart: unknown option '$1'" >&2; sed -n '8p' "$0" >&2; exit 2 ;;
  esac
done

step() { printf '\n[quickstart %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
show() { printf '$ %s\n' "$*" | sed "s|$raftmq_binary|raftmq|"; "$@"; }

if [ "$demo_only" -eq 0 ]; then
  step "dependencies"
  ./deploy/install-deps.sh
  step "build ($build_dir/)"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" --target raftmq-nameserver raftmq-broker raftmq
fi

cluster_dir="$(mktemp -d "${TMPDIR:-/tmp}/raftmq-quickstart.XXXXXX")"
cluster() { ./deploy/local-cluster.sh "$@" --dir "$cluster_dir"; }
finish() {
  local status=$?
  step "stopping the cluster"
  cluster stop || true
  if [ "$status" -eq 0 ]; then
    rm -rf "$cluster_dir"
    step "done"
  else
    echo "[quickstart] FAILED (exit $status); logs kept in $cluster_dir/*/*.log" >&2
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

step "starting a nameserver and a 3-node broker group in $cluster_dir"
./deploy/local-cluster.sh start --dir "$cluster_dir" --build "$build_dir" "${cluster_ports[@]}" --timeout 30
nameserver_port="$(sed -n 's/^nameserver_port=//p' "$cluster_dir/cluster.env")"
raftmq_binary="$(sed -n 's/^build_dir=//p' "$cluster_dir/cluster.env")/src/cli/raftmq"
rmq=("$raftmq_binary" --nameserver "127.0.0.1:$nameserver_port")

leader_node() {  # the node id of g1's leader, or nothing
  "${rmq[@]}" --rpc-timeout-ms 1000 cluster status 2>/dev/null | awk '$1 == "g1" && $4 == "leader" { print $2 }'
}

# send_then_receive <send step> <first n> <receive step>: sends "hello <n>" .. "hello <n+2>" to
# QuickStart, then receives 3 messages as consumer group quickstart-readers.
send_then_receive() {
  step "$1"
  local i
  for i in $(seq "$2" $(( $2 + 2 ))); do
    show "${rmq[@]}" send --topic QuickStart --tag demo --body "hello $i"
  done
  step "$3"
  show "${rmq[@]}" consume --topic QuickStart --group quickstart-readers \
    --from first --count 3 --timeout 20
}

step "creating topic QuickStart (4 queues) through the group's leader"
show "${rmq[@]}" topic create --topic QuickStart --queues 4

send_then_receive "sending 3 messages (each acknowledged once a majority of the group holds it)" 1 \
  "receiving them as consumer group quickstart-readers"

old_leader="$(leader_node)"
[ -n "$old_leader" ] || { echo "[quickstart] g1 has no leader" >&2; exit 1; }
step "killing the leader, g1n$old_leader, with kill -9"
cluster kill "g1n$old_leader"
killed_at_ms="$(date +%s%3N)"

printf 'waiting for the two remaining nodes to elect a new leader '
new_leader=""
for _ in $(seq 1 150); do
  new_leader="$(leader_node)"
  [ -n "$new_leader" ] && [ "$new_leader" != "$old_leader" ] && break
  new_leader=""
  printf '.'
  sleep 0.2
done
echo
[ -n "$new_leader" ] || { echo "[quickstart] no new leader within 30 s" >&2; cluster status >&2; exit 1; }
echo "g1n$new_leader leads now, $(( $(date +%s%3N) - killed_at_ms )) ms after the kill (as seen by polling)"
show "${rmq[@]}" cluster status

send_then_receive "sending 3 more messages to the group, now with 2 of 3 nodes" 4 \
  "receiving again: the group resumes from its committed offsets (replicated, so they survived the failover)"

step "restarting g1n$old_leader: it rejoins as a follower and catches up"
cluster restart "g1n$old_leader"
show "${rmq[@]}" cluster status
