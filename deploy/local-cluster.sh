#!/usr/bin/env bash
# local-cluster.sh: a raftmq cluster on one machine, for trying it out and for tests — one
# nameserver and N broker groups of 3 (or 5) nodes on 127.0.0.1, each a background process.
#
#   deploy/local-cluster.sh start [--groups N] [--nodes 3|5] [--dir DIR] [--build DIR]
#                                 [--port-base P] [--nameserver-port P] [--set key=value]...
#                                 [--metrics-port-base P] [--timeout SECONDS]
#   deploy/local-cluster.sh status|stop [--dir DIR]
#   deploy/local-cluster.sh kill|restart|pause|resume NODE [--dir DIR]
#   deploy/local-cluster.sh join NODE [--dir DIR]
#
# NODE is `nameserver` or gGnN (group G, node N), e.g. g1n2. kill is kill -9; pause and resume
# are SIGSTOP and SIGCONT; restart stops the node (SIGTERM) if it runs and starts it again.
# join starts a new node gGnN (N after the group's nodes, at most 9) on an empty data dir with
# initial_cluster_state = existing and adds it to its running group (`raftmq group add-node`:
# a learner until caught up, then a voter); from then on the other commands know it too.
# Remove a node from its group with `raftmq group remove-node`, then kill it.
#
# Ports (fixed, so addresses are easy to guess): the nameserver on --nameserver-port (9876,
# RocketMQ's); node N of group G on port-base + 10*(G-1) + (N-1), so with the default base
# 10911 (RocketMQ's broker port) g1n1 is 10911, g1n3 10913, g2n1 10921. With
# --metrics-port-base P every process serves Prometheus metrics: the nameserver on P, node N of
# group G on P + 10*(G-1) + N (P=5556: g1n1 5557, RocketMQ's exporter port). Off by default.
#
# DIR (default ./data/local-cluster) holds everything:
#   cluster.env                        the options `start` was given; later commands read them
#   nameserver/{nameserver.toml,nameserver.log,pid}
#   gGnN/{broker.toml,broker.log,pid,data/}
# Each TOML is written once, by the binary itself (`--print-config` with this script's
# overrides), so it lists every key with its default; edit it and `restart` the node.
#
# start is idempotent (running processes are left alone) and waits, at most --timeout seconds
# (default 30), until every group's leader is registered in the nameserver. stop is idempotent.
# Exit status: 0 done, 1 failed (the message says why), 2 bad usage.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "local-cluster: $*" >&2; exit 1; }
say() { echo "local-cluster: $*"; }

command_name="${1:-}"
[ -n "$command_name" ] || usage
shift
node_argument=""
case "$command_name" in
  kill|restart|pause|resume|join)
    [ $# -ge 1 ] && [ "${1#--}" = "$1" ] || die "$command_name needs a NODE (nameserver or gGnN, e.g. g1n2)"
    node_argument="$1"; shift ;;
  start|stop|status) ;;
  -h|--help|help) usage ;;
  *) echo "local-cluster: unknown command '$command_name'" >&2; usage ;;
esac

groups="" nodes="" port_base="" nameserver_port="" metrics_port_base="" build_dir="" timeout_s=30
dir="./data/local-cluster"
overrides=()
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "local-cluster: option $1 needs a value" >&2; usage; }
  case "$1" in
    --groups) groups="$2" ;;
    --nodes) nodes="$2" ;;
    --dir) dir="$2" ;;
    --build) build_dir="$2" ;;
    --port-base) port_base="$2" ;;
    --nameserver-port) nameserver_port="$2" ;;
    --metrics-port-base) metrics_port_base="$2" ;;
    --timeout) timeout_s="$2" ;;
    --set) [[ "$2" == *=* ]] || die "--set expects key=value, got '$2'"; overrides+=("--$2") ;;
    *) echo "local-cluster: unknown option '$1'" >&2; usage ;;
  esac
  shift 2
done

is_number() { [[ "$1" =~ ^[0-9]+$ ]]; }

# Reads DIR/cluster.env when there is one; a flag that disagrees with it is an error, since the
# nodes' configs, ports and data were made for those values.
load_cluster_env() {
  local env_file="$dir/cluster.env" key value given
  [ -f "$env_file" ] || return 1
  while IFS='=' read -r key value; do
    case "$key" in
      groups|nodes|port_base|nameserver_port|metrics_port_base|build_dir)
        given="${!key}"
        if [ -n "$given" ] && [ "$given" != "$value" ] && [ "$key" != build_dir ]; then
          die "$dir was started with --${key//_/-} $value (not $given): use another --dir or remove it"
        fi
        [ -n "$given" ] && [ "$key" = build_dir ] || printf -v "$key" '%s' "$value" ;;
    esac
  done < "$env_file"
  return 0
}

resolve_options() {
  if [ -d "$dir" ]; then dir="$(cd "$dir" && pwd)"; fi
  if ! load_cluster_env; then
    if [ "$command_name" = stop ]; then say "no cluster in $dir: nothing to stop"; exit 0; fi
    [ "$command_name" = start ] || die "no cluster in $dir (start one with: $0 start --dir $dir)"
  fi
  groups="${groups:-1}" nodes="${nodes:-3}" port_base="${port_base:-10911}"
  nameserver_port="${nameserver_port:-9876}" build_dir="${build_dir:-./build}"
  is_number "$groups" && [ "$groups" -ge 1 ] && [ "$groups" -le 26 ] || die "--groups must be 1..26, got '$groups'"
  [ "$nodes" = 3 ] || [ "$nodes" = 5 ] || die "--nodes must be 3 or 5, got '$nodes'"
  is_number "$port_base" && [ "$port_base" -ge 1024 ] && [ $((port_base + 10 * groups)) -le 65535 ] \
    || die "--port-base must leave room for $groups groups in 1024..65535, got '$port_base'"
  is_number "$nameserver_port" && [ "$nameserver_port" -ge 1 ] && [ "$nameserver_port" -le 65535 ] \
    || die "--nameserver-port must be 1..65535, got '$nameserver_port'"
  [ -z "$metrics_port_base" ] || { is_number "$metrics_port_base" && [ "$metrics_port_base" -ge 1024 ] \
    && [ $((metrics_port_base + 10 * groups)) -le 65535 ]; } \
    || die "--metrics-port-base must leave room for $groups groups in 1024..65535, got '$metrics_port_base'"
  is_number "$timeout_s" || die "--timeout must be a number of seconds, got '$timeout_s'"
  local absolute
  absolute="$(cd "$build_dir" 2>/dev/null && pwd)" || die "no build directory '$build_dir' (build first, or pass --build DIR)"
  build_dir="$absolute"
  nameserver_binary="$build_dir/nameserver/raftmq-nameserver"
  broker_binary="$build_dir/broker/raftmq-broker"
  cli_binary="$build_dir/src/cli/raftmq"
  nameserver_address="127.0.0.1:$nameserver_port"
}

save_cluster_env() {
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  printf 'groups=%s\nnodes=%s\nport_base=%s\nnameserver_port=%s\nmetrics_port_base=%s\nbuild_dir=%s\n' \
    "$groups" "$nodes" "$port_base" "$nameserver_port" "$metrics_port_base" "$build_dir" > "$dir/cluster.env"
}

node_port() { echo $((port_base + 10 * ($1 - 1) + ($2 - 1))); }
# --metrics_listen_address=... for NAME (nameserver or gGnN), nothing when metrics are off.
metrics_flag() {
  [ -n "$metrics_port_base" ] || return 0
  if [[ "$1" =~ ^g([0-9]+)n([0-9]+)$ ]]; then
    echo "--metrics_listen_address=127.0.0.1:$((metrics_port_base + 10 * (BASH_REMATCH[1] - 1) + BASH_REMATCH[2]))"
  else
    echo "--metrics_listen_address=127.0.0.1:$metrics_port_base"
  fi
}

# The group's nodes: the first --nodes, then those that joined (their directories).
all_names() {
  local g n
  echo nameserver
  for ((g = 1; g <= groups; g++)); do
    for ((n = 1; n <= 9; n++)); do
      if ((n <= nodes)) || [ -d "$dir/g${g}n${n}" ]; then echo "g${g}n${n}"; fi
    done
  done
}

check_name() {
  local name="$1"
  [ "$name" = nameserver ] && return 0
  [[ "$name" =~ ^g([0-9]+)n([0-9]+)$ ]] || die "bad NODE '$name': expected nameserver or gGnN, e.g. g1n2"
  [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le "$groups" ] && [ "${BASH_REMATCH[2]}" -ge 1 ] \
    && { [ "${BASH_REMATCH[2]}" -le "$nodes" ] || [ -d "$dir/$name" ]; } \
    || die "no node '$name' in this cluster ($groups groups of $nodes nodes, and those that joined)"
}

# The pid of a live process of ours for NAME, or nothing. The command line is checked so that
# a pid reused by another program after a crash is not mistaken for the node.
live_pid() {
  local pid_file="$dir/$1/pid" pid
  [ -f "$pid_file" ] || return 0
  pid="$(cat "$pid_file")"
  is_number "$pid" && [ -r "/proc/$pid/cmdline" ] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--config $dir/$1/" || return 0
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 0
  echo "$pid"
}

process_state() {  # alive, paused or dead
  local pid
  pid="$(live_pid "$1")"
  if [ -z "$pid" ]; then echo dead; return; fi
  case "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" in
    T|t) echo paused ;;
    *) echo alive ;;
  esac
}

write_config() {
  local name="$1" toml g n peers="" i
  if [ "$name" = nameserver ]; then
    toml="$dir/nameserver/nameserver.toml"
    [ -f "$toml" ] && return 0
    "$nameserver_binary" --print-config --listen_address="$nameserver_address" $(metrics_flag nameserver) > "$toml.tmp" \
      || die "$nameserver_binary --print-config failed"
  else
    [[ "$name" =~ ^g([0-9]+)n([0-9]+)$ ]]
    g="${BASH_REMATCH[1]}" n="${BASH_REMATCH[2]}"
    toml="$dir/$name/broker.toml"
    [ -f "$toml" ] && return 0
    # A joining node (after the first --nodes) lists the nodes up to itself: node N is the
    # N-th entry of peers.
    for ((i = 1; i <= (n > nodes ? n : nodes); i++)); do peers+="${peers:+,}127.0.0.1:$(node_port "$g" "$i")"; done
    "$broker_binary" --print-config --cluster_name=LocalCluster --broker_group="g$g" --node_id="$n" \
      --initial_cluster_state="$( ((n > nodes)) && echo existing || echo new)" \
      --peers="$peers" --data_dir="$dir/$name/data" --nameserver_addresses="$nameserver_address" \
      $(metrics_flag "$name") "${overrides[@]}" > "$toml.tmp" || die "$broker_binary --print-config failed (bad --set?)"
  fi
  mv "$toml.tmp" "$toml"
}

# Starts NAME in the background in its own session (a Ctrl-C in this terminal does not reach
# it) and waits for its "listening on" line in the log.
start_process() {
  local name="$1" binary toml log offset pid waited=0
  if [ -n "$(live_pid "$name")" ]; then say "$name already running (pid $(live_pid "$name"))"; return 0; fi
  mkdir -p "$dir/$name"
  write_config "$name"
  if [ "$name" = nameserver ]; then binary="$nameserver_binary" toml="$dir/$name/nameserver.toml" log="$dir/$name/nameserver.log"
  else binary="$broker_binary" toml="$dir/$name/broker.toml" log="$dir/$name/broker.log"; fi
  touch "$log"
  offset="$(stat -c %s "$log")"
  setsid "$binary" --config "$toml" >> "$log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$dir/$name/pid"
  until tail -c +$((offset + 1)) "$log" | grep -q "listening on"; do
    kill -0 "$pid" 2>/dev/null || die "$name exited at start; the end of $log:
$(tail -n 15 "$log")"
    ((waited++ < 10 * timeout_s)) || die "$name did not listen within ${timeout_s}s (see $log)"
    sleep 0.1
  done
  say "$name started (pid $pid, $(tail -c +$((offset + 1)) "$log" | grep -o 'listening on .*' | head -n 1))"
}

# SIGTERM, then SIGKILL after 10 s. A paused process is continued first: a stopped process
# does not act on SIGTERM.
stop_process() {
  local name="$1" pid waited=0
  pid="$(live_pid "$name")"
  [ -n "$pid" ] || { rm -f "$dir/$name/pid"; return 0; }
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  while [ -n "$(live_pid "$name")" ]; do
    if ((waited++ >= 100)); then
      say "$name did not stop within 10 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$dir/$name/pid"
  say "$name stopped"
}

# `raftmq cluster status` as a table (columns GROUP NODE ADDRESS ROLE TERM ...).
cluster_table() {
  "$cli_binary" --nameserver "$nameserver_address" --rpc-timeout-ms 1000 cluster status 2>&1
}

groups_without_leader() {
  local table g missing=""
  table="$(cluster_table)" || { echo "all"; return; }
  for ((g = 1; g <= groups; g++)); do
    awk -v group="g$g" '$1 == group && $4 == "leader" { found = 1 } END { exit !found }' <<< "$table" \
      || missing+="${missing:+ }g$g"
  done
  echo "$missing"
}

wait_for_leaders() {
  local missing waited=0
  printf 'local-cluster: waiting for a leader in every group '
  while missing="$(groups_without_leader)"; [ -n "$missing" ]; do
    if ((waited++ >= 5 * timeout_s)); then
      echo
      die "no leader registered in the nameserver within ${timeout_s}s for: $missing
$(cluster_table)"
    fi
    printf '.'
    sleep 0.2
  done
  echo " done"
  cluster_table
}

require_binaries() {
  local binary
  for binary in "$nameserver_binary" "$broker_binary" "$cli_binary"; do
    [ -x "$binary" ] || die "missing $binary: build first (cmake --build $build_dir), or pass --build DIR"
  done
}

run_start() {
  local name
  require_binaries
  save_cluster_env
  say "$groups group(s) of $nodes nodes in $dir; nameserver $nameserver_address, g1n1 127.0.0.1:$port_base"
  for name in $(all_names); do start_process "$name"; done
  wait_for_leaders
}

run_status() {
  local name state
  printf '%-11s %-7s %-8s %s\n' PROCESS STATE PID ADDRESS
  for name in $(all_names); do
    state="$(process_state "$name")"
    if [ "$name" = nameserver ]; then address="$nameserver_address"
    else [[ "$name" =~ ^g([0-9]+)n([0-9]+)$ ]]; address="127.0.0.1:$(node_port "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"; fi
    printf '%-11s %-7s %-8s %s\n' "$name" "$state" "$(live_pid "$name")" "$address"
  done
  echo
  if [ "$(process_state nameserver)" != alive ]; then
    echo "(no roles: the nameserver is not running)"
  else
    cluster_table || true
  fi
}

run_join() {
  local name="$node_argument" g n
  [[ "$name" =~ ^g([0-9]+)n([0-9]+)$ ]] || die "bad NODE '$name': expected gGnN, e.g. g1n4"
  g="${BASH_REMATCH[1]}" n="${BASH_REMATCH[2]}"
  [ "$g" -ge 1 ] && [ "$g" -le "$groups" ] || die "no group g$g in this cluster ($groups groups)"
  [ "$n" -gt "$nodes" ] && [ "$n" -le 9 ] || die "a joining node is numbered $((nodes + 1))..9 (the group started with $nodes), got $n"
  [ ! -d "$dir/$name" ] || die "$name exists already (restart it, or remove $dir/$name for a new node)"
  require_binaries
  start_process "$name"
  "$cli_binary" --nameserver="$nameserver_address" group add-node --group "g$g" --node-id "$n" \
    --address "127.0.0.1:$(node_port "$g" "$n")" || die "$name started but was not added to g$g (see above; run the raftmq command again)"
}

signal_node() {
  local name="$1" signal="$2" pid
  pid="$(live_pid "$name")"
  [ -n "$pid" ] || die "$name is not running"
  kill "-$signal" "$pid"
}

resolve_options
case "$command_name" in
  start) run_start ;;
  stop) for name in $(all_names | tac); do stop_process "$name"; done ;;
  status) run_status ;;
  kill)
    check_name "$node_argument"
    signal_node "$node_argument" KILL
    while [ -n "$(live_pid "$node_argument")" ]; do sleep 0.05; done
    say "$node_argument killed (SIGKILL)" ;;
  restart)
    check_name "$node_argument"
    require_binaries
    stop_process "$node_argument"
    start_process "$node_argument" ;;
  join) run_join ;;
  pause) check_name "$node_argument"; signal_node "$node_argument" STOP; say "$node_argument paused (SIGSTOP)" ;;
  resume) check_name "$node_argument"; signal_node "$node_argument" CONT; say "$node_argument resumed (SIGCONT)" ;;
esac
