// ChaosOptions: what one chaos run does (chaos/run.sh passes its flags to raftmq-chaos).
// Every limit of the run is a named field with its default here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace raftmq::chaos {

struct ChaosOptions {
  int64_t duration_s = 60;                  // faults are injected this long
  std::vector<std::string> nemeses;         // kinds (see nemesis.h); "all" expands to every one
  uint64_t seed = 1;
  int nodes = 3;                            // per group: 3 or 5
  int groups = 1;
  std::string flush = "async";              // the brokers' flush_disk_type
  std::string out_dir;                      // report, logs, data
  std::string build_dir;                    // where raftmq-broker, raftmq-nameserver, raftmq-lazyfs are
  bool loopback = false;                    // 127.0.0.1 mode: no namespaces, no network nemeses
  int64_t fault_ms_min = 3000;              // each fault lasts a random time in [min, max]
  int64_t fault_ms_max = 10000;
  int64_t quiet_ms_min = 2000;              // and is followed by a quiet time in [min, max]
  int64_t quiet_ms_max = 5000;
  int64_t warmup_ms = 5000;                 // load before the first fault
  int64_t settle_ms_max = 60000;            // after the final heal: longest wait for convergence
  int32_t send_rate_per_s = 200;            // target sends per second, half sync, half async
  int32_t sync_senders = 2;                 // threads doing sync sends
  int32_t queues = 8;                       // per group
  int32_t push_consumers = 2;
  int64_t disk_mb = 512;                    // each node's data file system (namespace mode)
  // A broker that exits by itself (storage it cannot trust: exit code 3; a crash) is restarted
  // after this long, as a supervisor would (systemd's Restart=on-failure, RestartSec).
  int64_t restart_delay_ms = 1000;
};

// Parses argv (InvalidArgument naming the flag on bad input); expands "all".
Result<ChaosOptions> ParseOptions(int argc, char** argv);

// Every nemesis kind, in the order "all" uses; and those that cut the network.
const std::vector<std::string>& AllNemeses();
bool NeedsNetwork(const std::string& kind);
bool NeedsLazyFs(const std::string& kind);
bool NeedsSmallDisk(const std::string& kind);

}  // namespace raftmq::chaos
