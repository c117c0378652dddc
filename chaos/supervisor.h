// Supervisor: what systemd (Restart=on-failure) does for a production broker. A broker that
// exits by itself — storage it cannot trust makes it exit with code 3 by design; anything else
// is a crash worth a look — is recorded in the History and restarted restart_delay_ms later on
// the same data. Without it, one node that exited during a disk-full fault stayed down until
// some later fault's heal happened to start it, and the run measured minutes of
// unavailability that a supervised deployment would not have.
//
// Threading: Step from one thread (the schedule's), the one that drives the Topology.
#pragma once

#include <cstdint>
#include <vector>

#include "chaos/history.h"
#include "chaos/run_clock.h"
#include "chaos/topology.h"

namespace raftmq::chaos {

class Supervisor {
 public:
  Supervisor(Topology* topology, History* history, const RunClock* clock, int64_t restart_delay_ms)
      : topology_(topology), history_(history), clock_(clock), restart_delay_ms_(restart_delay_ms) {}

  // Notices brokers that exited and restarts those whose delay has passed.
  void Step();

 private:
  struct PendingRestart {
    size_t node = 0;
    int64_t due_ms = 0;
    size_t exit = 0;  // History::exits() index
  };

  Topology* const topology_;
  History* const history_;
  const RunClock* const clock_;
  const int64_t restart_delay_ms_;
  std::vector<PendingRestart> pending_;
};

}  // namespace raftmq::chaos
