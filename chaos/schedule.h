// The fault schedule: from the seed alone, which kind of fault starts when, lasts how long and
// hits which group (PlanSchedule; printed before the run, so a seed replays the same plan).
// RunSchedule injects and heals them in real time, printing one line per fault, and recording
// each in the History. Targets that depend on the run (the current leader) are chosen when the
// fault starts, with a generator seeded from the seed and the fault's number.
//
// Threading: RunSchedule on the calling thread; `stop` may be set from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chaos/history.h"
#include "chaos/node_probe.h"
#include "chaos/options.h"
#include "chaos/run_clock.h"
#include "chaos/supervisor.h"
#include "chaos/topology.h"

namespace raftmq::chaos {

struct PlannedFault {
  int64_t start_ms = 0;    // since the run started
  int64_t duration_ms = 0;
  std::string kind;
  int group = 1;
};

std::vector<PlannedFault> PlanSchedule(const ChaosOptions& options);
std::string DescribeSchedule(const std::vector<PlannedFault>& plan);

struct ScheduleContext {
  const ChaosOptions* options = nullptr;
  Topology* topology = nullptr;
  const LeaderWatch* leaders = nullptr;
  const RunClock* clock = nullptr;
  History* history = nullptr;
  const std::atomic<bool>* stop = nullptr;
  // Stepped while the schedule waits: restarts brokers that exited by themselves.
  Supervisor* supervisor = nullptr;
  // Progress: sends started so far, shown on each line.
  std::function<uint64_t()> sent;
};

// Runs every planned fault; returns early (healing the current fault) when `stop` is set.
void RunSchedule(const std::vector<PlannedFault>& plan, const ScheduleContext& context);

// Sleeps until `at_ms` on the run clock, stepping the supervisor, or until stop is set; false
// when stopped.
bool WaitUntil(const ScheduleContext& context, int64_t at_ms);

// Heals everything whatever the schedule did: network, disks, paused and dead brokers.
// Returns what could not be healed ("" when everything was).
std::string HealEverything(Topology& topology);

}  // namespace raftmq::chaos
