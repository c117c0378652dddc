#include "chaos/options.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

namespace raftmq::chaos {

const std::vector<std::string>& AllNemeses() {
  static const std::vector<std::string> kinds = {
      "kill-leader",      "kill-random",       "kill-minority",    "pause-leader",   "pause-random",
      "partition-leader", "partition-halves",  "partition-ring",   "partition-bridge", "partition-oneway",
      "disk-full",        "power-loss"};
  return kinds;
}

bool NeedsNetwork(const std::string& kind) { return kind.rfind("partition-", 0) == 0; }
bool NeedsLazyFs(const std::string& kind) { return kind == "power-loss"; }
bool NeedsSmallDisk(const std::string& kind) { return kind == "disk-full"; }

Result<ChaosOptions> ParseOptions(int argc, char** argv) {
  ChaosOptions options;
  std::string nemesis_list = "all";
  CLI::App app{"raftmq-chaos: faults against a real raftmq cluster, then a check of what it promised"};
  app.add_option("--duration", options.duration_s, "seconds of faults")->check(CLI::Range(1, 86400));
  app.add_option("--nemesis", nemesis_list, "comma-separated kinds, or all");
  app.add_option("--seed", options.seed, "seed of the schedule (printed; replays it)");
  app.add_option("--nodes", options.nodes, "nodes per group")->check(CLI::IsMember({3, 5}));
  app.add_option("--groups", options.groups, "broker groups")->check(CLI::Range(1, 4));
  app.add_option("--flush", options.flush, "flush_disk_type of the brokers")->check(CLI::IsMember({"async", "sync"}));
  app.add_option("--out", options.out_dir, "directory of the report, logs and data")->required();
  app.add_option("--build", options.build_dir, "build directory")->required();
  app.add_flag("--loopback", options.loopback, "127.0.0.1 mode: no namespaces (no partitions, disk, power)");
  app.add_option("--fault-ms-min", options.fault_ms_min, "shortest fault")->check(CLI::Range(100, 3600000));
  app.add_option("--fault-ms-max", options.fault_ms_max, "longest fault")->check(CLI::Range(100, 3600000));
  app.add_option("--quiet-ms-min", options.quiet_ms_min, "shortest quiet time")->check(CLI::Range(0, 3600000));
  app.add_option("--quiet-ms-max", options.quiet_ms_max, "longest quiet time")->check(CLI::Range(0, 3600000));
  app.add_option("--rate", options.send_rate_per_s, "sends per second")->check(CLI::Range(1, 100000));
  app.add_option("--queues", options.queues, "queues per group")->check(CLI::Range(1, 64));
  app.add_option("--disk-mb", options.disk_mb, "size of each node's data file system")->check(CLI::Range(64, 65536));
  app.add_option("--restart-delay-ms", options.restart_delay_ms, "restart a broker that exited by itself after this long")
      ->check(CLI::Range(0, 600000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    std::cout << app.help();
    std::exit(0);
  } catch (const CLI::ParseError& error) {
    return Status::InvalidArgument(error.what());
  }
  if (options.fault_ms_min > options.fault_ms_max) return Status::InvalidArgument("--fault-ms-min exceeds --fault-ms-max");
  if (options.quiet_ms_min > options.quiet_ms_max) return Status::InvalidArgument("--quiet-ms-min exceeds --quiet-ms-max");
  std::stringstream list(nemesis_list);
  for (std::string kind; std::getline(list, kind, ',');) {
    if (kind == "all") {
      for (const std::string& each : AllNemeses()) {
        if (!options.loopback || (!NeedsNetwork(each) && !NeedsLazyFs(each) && !NeedsSmallDisk(each))) {
          options.nemeses.push_back(each);
        }
      }
      continue;
    }
    if (std::find(AllNemeses().begin(), AllNemeses().end(), kind) == AllNemeses().end()) {
      return Status::InvalidArgument("--nemesis: unknown kind '" + kind + "'");
    }
    if (options.loopback && (NeedsNetwork(kind) || NeedsLazyFs(kind) || NeedsSmallDisk(kind))) {
      return Status::InvalidArgument("--nemesis: '" + kind + "' needs namespaces and mounts (not --loopback)");
    }
    options.nemeses.push_back(kind);
  }
  if (options.nemeses.empty()) return Status::InvalidArgument("--nemesis: no kind given");
  return options;
}

}  // namespace raftmq::chaos
