#!/usr/bin/env bash
# soak.sh: disk use of a 3-node group under continuous load with retention on (issue 12's soak,
# not a ctest): a fresh local cluster in a temp dir (stopped and deleted on exit), `raftmq
# bench` async sends back to back for --minutes, and every --sample-seconds one CSV line per
# sample: elapsed seconds, then each node's data dir size in MiB, then how many CommitLog
# segment files it holds.
#
#   deploy/soak.sh [--build DIR] [--minutes M] [--sample-seconds S] [--segment-bytes B]
#                  [--port-base P] [--nameserver-port P] [--set key=value]...
#
# Defaults: 30 minutes, a sample every 30 s, 64 MiB segments; retention runs at every hour
# (retention_delete_when lists all 24) for segments older than retention_hours 0, checked
# every second, so the group deletes a segment as soon as a newer one holds entries: disk use
# should stay near a few segments per node however long it runs. Prints the CSV on stdout and
# progress on stderr; exits non-zero if the cluster or a bench run fails.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build_dir="$here/../build"
minutes=30
sample_seconds=30
segment_bytes=$((64 * 1024 * 1024))
port_base=32911
nameserver_port=32876
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build_dir="$2"; shift ;;
    --minutes) minutes="$2"; shift ;;
    --sample-seconds) sample_seconds="$2"; shift ;;
    --segment-bytes) segment_bytes="$2"; shift ;;
    --port-base) port_base="$2"; shift ;;
    --nameserver-port) nameserver_port="$2"; shift ;;
    --set) extra+=(--set "$2"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

dir="$(mktemp -d /tmp/raftmq-soak.XXXXXX)"
cleanup() {
  "$here/local-cluster.sh" stop --dir "$dir" >/dev/null 2>&1 || true
  [ -n "${load_pid:-}" ] && kill "$load_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

every_hour="$(seq -s ';' 0 23)"
"$here/local-cluster.sh" start --dir "$dir" --build "$build_dir" --port-base "$port_base" \
  --nameserver-port "$nameserver_port" --set "commit_log_segment_size_bytes=$segment_bytes" \
  --set retention_hours=0 --set "retention_delete_when=$every_hour" --set retention_check_interval_ms=1000 \
  "${extra[@]}" >&2
raftmq="$(cd "$build_dir" && pwd)/src/cli/raftmq"
export RAFTMQ_NAMESERVER="127.0.0.1:$nameserver_port"

deadline=$((SECONDS + minutes * 60))
# A failed run is reported and counted, and the load goes on: the curve is the point.
(
  failures=0
  while [ $SECONDS -lt $deadline ]; do
    if output="$("$raftmq" bench --topic soak --sync 0 --warmup 0 --async 200000 --size 1024 2>&1)"; then
      grep '^RESULT' <<<"$output" >&2 || true
    else
      failures=$((failures + 1))
      echo "soak.sh: a bench run failed: $(tail -n 3 <<<"$output")" >&2
    fi
  done
  [ "$failures" -eq 0 ]
) &
load_pid=$!

size_mib() { du -sm "$1" 2>/dev/null | cut -f1; }
segments() { ls "$1" 2>/dev/null | grep -c '^[0-9]\{20\}$' || true; }
echo "elapsed_s,g1n1_mib,g1n2_mib,g1n3_mib,g1n1_segments,g1n2_segments,g1n3_segments"
start=$SECONDS
while [ $SECONDS -lt $deadline ]; do
  line="$((SECONDS - start))"
  for node in g1n1 g1n2 g1n3; do line+=",$(size_mib "$dir/$node/data")"; done
  for node in g1n1 g1n2 g1n3; do line+=",$(segments "$dir/$node/data/commitlog")"; done
  echo "$line"
  echo "soak.sh: $((SECONDS - start)) s of $((minutes * 60)) s" >&2
  sleep "$sample_seconds"
done
wait "$load_pid"
