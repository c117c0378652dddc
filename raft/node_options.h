// NodeOptions: how a raft::Node drives its Core. Every limit is a named field with its
// default documented; the Raft timing itself lives in CoreOptions (in ticks).
//
// Wall-clock defaults: a tick every 50 ms, so CoreOptions' defaults give a heartbeat every
// 100 ms and an election timeout drawn from [500 ms, 1000 ms).
//
// Threading: a plain value; on_soft_state_change runs on the Node's loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "common/status.h"
#include "raft/configuration.h"
#include "raft/core_options.h"
#include "raft/ready.h"

namespace raftmq::raft {

struct NodeOptions {
  CoreOptions core;
  // Core::Tick() is called this often (wall clock, steady).
  uint32_t tick_interval_ms = kTickIntervalMsDefault;
  // Messages received but not yet stepped. A message arriving at a full inbox is dropped and
  // counted (the sender retransmits); bounds memory when the loop stalls on a slow disk.
  size_t inbox_messages_max = 16384;
  // Proposals queued or waiting to be applied. Beyond it Propose fails at once with
  // Unavailable ("too many pending proposals"), which clients treat as back-pressure.
  size_t proposals_pending_max = 65536;
  // The commit index alone (no term or vote change) is saved to the HardStateStore at most
  // this often: it is only a recovery hint, and every save is a synced RocksDB write.
  uint32_t commit_save_interval_ms = 1000;
  // Fast failover: when the stream from the leader ends (its process died or stopped), a
  // follower lets its leader lease run out within a tick and campaigns after
  // (2 + rank) ticks, rank = how many other live voters have a smaller id, so followers do not
  // split the vote. Any message from that leader first calls it off; a leader that is in
  // fact alive refuses the pre-vote inside its lease, so a false alarm costs one pre-vote
  // round. While nobody leads, the pre-vote is repeated every tick for up to
  // election_timeout_ticks_min ticks (a peer still in its lease drops it unanswered).
  // Off: only the election timeout (500-1000 ms) notices a dead leader.
  bool campaign_on_leader_disconnect = true;
  // Storage faults (a failed append, sync, hard-state save, apply or read of a committed
  // entry): the Node steps aside at once (stops leading, does not campaign, answers proposals
  // Unavailable with the leader it hears from as hint) and retries after this delay, doubled
  // on every fault that follows a retry closely, up to the max. A retry rebuilds the Core
  // from what storage holds and rejoins as a follower; the next write tells whether the fault
  // cleared (e.g. space was freed).
  uint32_t storage_fault_retry_interval_ms_min = 200;
  uint32_t storage_fault_retry_interval_ms_max = 5000;
  // Optional. Called once on the loop thread when storage cannot be trusted any more
  // (Corruption, or a LogStore that NeedsReopen() after a failed fsync): the Node has stopped
  // for good. The broker exits the process then (fail-stop: a restart re-verifies the log).
  std::function<void(const Status&)> on_storage_fatal;
  // Optional. Called on the loop thread after each change of role, leader or term (the
  // broker re-registers with nameservers when it starts or stops leading). Keep it short.
  std::function<void(const SoftState&)> on_soft_state_change;
  // Optional. Called with the configuration in force (as of the last membership entry
  // appended) once in Node::Start and then on the loop thread whenever it changes, before any
  // message of the Ready that changed it is sent: the transport learns a new member's address
  // (ConfState::addresses) before the leader's first append to it. A joining node's (core.voters
  // empty) is empty at start, until entry 1 or a snapshot gives it its group: its transport
  // must already reach the peers its own configuration names. Keep it short.
  std::function<void(const ConfState&)> on_configuration_change;

  // InvalidArgument naming the first broken rule (CoreOptions' included).
  Status Validate() const;
};

}  // namespace raftmq::raft
