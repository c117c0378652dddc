// RetentionScheduler: decides, on the leader only, how much of the group's old CommitLog may
// go, and proposes DeleteLogBefore{index} through Raft so that every node deletes the same
// prefix (BrokerStateMachine carries it out) and queue min offsets agree across the group.
//
// Every retention_check_interval_ms it asks the CommitLog (RetentionCutoff) which whole
// segments are deletable: older than retention_hours when the local hour is one of
// retention_delete_when, or, at any hour, the oldest while the disk is above
// disk_usage_watermark_percent. The cutoff never passes the leader's applied index nor the
// match index of a recently active follower (heard from within the election timeout): those
// catch up from the log, as usual. A follower that is down does not hold retention back:
// every node snapshots before it deletes (BrokerStateMachine), so whichever leads when it
// returns catches it up with a snapshot. A proposal goes out only when it moves the log's
// first index forward.
//
// Threading: its own thread (a BackgroundWorker reading the clock); RunOnce is also callable
// directly (tests).
#pragma once

#include <bitset>
#include <cstdint>

#include "broker/broker_options.h"
#include "broker/broker_state_machine.h"
#include "broker/replicator.h"
#include "broker/retention_hours.h"
#include "common/background_worker.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/commit_log.h"

namespace raftmq::broker {

class RetentionScheduler {
 public:
  // Every pointer outlives the scheduler; `options` passed Validate().
  RetentionScheduler(const BrokerOptions* options, const storage::CommitLog* log, Replicator* replicator,
                     const BrokerStateMachine* machine, const Clock* clock);
  ~RetentionScheduler();
  RetentionScheduler(const RetentionScheduler&) = delete;
  RetentionScheduler& operator=(const RetentionScheduler&) = delete;

  void Start();
  void Stop();

  // One check at wall-clock `now_ms`: the index proposed and applied, or nullopt when nothing
  // was proposed (not the serving leader, a voter's progress unknown, nothing deletable).
  Result<std::optional<Index>> RunOnce(int64_t now_ms);

 private:
  // The highest index the cutoff may reach; nullopt while a voter's progress is unknown.
  std::optional<Index> Bound();
  bool IsDeleteHour(int64_t now_ms) const;

  const BrokerOptions* const options_;
  const storage::CommitLog* const log_;
  Replicator* const replicator_;
  const BrokerStateMachine* const machine_;
  const Clock* const clock_;
  const std::bitset<kHoursPerDay> delete_hours_;
  BackgroundWorker worker_;  // last: its thread stops before the rest goes
};

}  // namespace raftmq::broker
