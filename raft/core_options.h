// CoreOptions: everything raft::Core is configured with. Every limit is a named field with a
// documented default; Validate() states the relations between them.
//
// Time is counted in ticks: Core never reads a clock, the driver calls Core::Tick() every
// `tick_interval_ms` (a driver setting, default 50 ms, kept here only as documentation of
// the defaults below). With 50 ms ticks the defaults give a heartbeat every 100 ms and a
// randomized election timeout in [500 ms, 1000 ms).
//
// Threading: a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/log_ids.h"
#include "common/status.h"

namespace raftmq::raft {

// The tick the defaults below are tuned for; raft::Node's tick_interval_ms defaults to it.
inline constexpr uint32_t kTickIntervalMsDefault = 50;

struct CoreOptions {
  // This node; one of `voters` for a node of the bootstrap configuration, else a node added
  // later (it learns its membership from its leader's log or snapshot).
  NodeId id = kNoNode;
  // The bootstrap configuration: every voter of the group when it first formed (3 or 5 in
  // practice, any count >= 1 works). Ids are distinct and non-zero. Membership changes move on
  // from it (raft/core.h, "Membership"). Empty: this node joins an existing group (an empty
  // data dir added by a membership change): it has no configuration until entry 1 (the
  // bootstrap), a snapshot or a persisted record gives it the group's, and never campaigns
  // before (raft/core.h, "Joining").
  std::vector<NodeId> voters;
  // Each voter's "host:port" (one address for peers and clients). A new group's first leader
  // writes `voters` with these addresses as its bootstrap entry (raft/configuration.h), so
  // every node, a joining one too, learns them from the log. May be empty or partial (a voter
  // without one is reached where each node's own configuration says); ids that are not voters
  // are left out. Each address passes CheckPeerAddress.
  std::map<NodeId, std::string> addresses;

  // A leader sends a heartbeat to every follower this often (default 100 ms).
  uint32_t heartbeat_interval_ticks = 2;
  // A follower or candidate that hears from no leader campaigns after a timeout drawn
  // uniformly from [min, max) ticks, fresh after every reset (default 500 ms .. 1000 ms).
  // `min` is also the leader lease (a follower that heard from a leader within it ignores
  // (pre-)votes), the check-quorum window and the leadership-transfer deadline.
  uint32_t election_timeout_ticks_min = 10;
  uint32_t election_timeout_ticks_max = 20;

  // Pre-vote: a node first asks whether it could win before raising its term, so a node
  // that was partitioned away does not disrupt a healthy group when it returns.
  bool pre_vote = true;
  // Check-quorum: a leader that has not heard from a majority within
  // election_timeout_ticks_min steps down (and so stops accepting proposals). Also enables
  // the leader lease that makes followers ignore (pre-)votes while a leader is alive.
  bool check_quorum = true;

  // One kAppend carries at most this many payload bytes (at least one entry).
  uint64_t append_entries_bytes_max = 1 << 20;
  // Per follower: at most this many kAppend in flight (unacknowledged) ...
  uint32_t inflight_appends_max = 256;
  // ... and at most this many payload bytes in flight.
  uint64_t inflight_bytes_max = 32ull << 20;
  // The leader refuses proposals while its uncommitted entries hold more payload bytes than
  // this (a single entry is always accepted when nothing is uncommitted).
  uint64_t uncommitted_bytes_max = 64ull << 20;
  // One Ready hands at most this many payload bytes of committed entries to apply (at least
  // one entry).
  uint64_t apply_entries_bytes_max = 4ull << 20;

  // TransferLeadership(to) is refused when `to` lags the leader's last index by more.
  uint64_t transfer_lag_entries_max = 1000;
  // Promoting a learner to voter is refused while its match lags the leader's last index by
  // more: a voter far behind would hold back commit (and could cost the group its quorum).
  uint64_t learner_promote_lag_entries_max = 1000;
  // When set (not kNoNode), a leader that is not this node hands leadership to it once it is
  // recently active and fully caught up; lets operators pin leaders for balance.
  NodeId preferred_leader = kNoNode;

  // Set by the driver when this node may have lost entries it acknowledged since it last ran
  // (a new boot id under async flush): it starts recovering (raft/core.h). Core also starts
  // recovering by itself on a wiped log (empty log, term 0, no vote).
  bool may_have_lost_acknowledged_entries = false;
  // Set by the driver when this node's data dir was wiped since it last ran a whole recovery
  // (a wipe interrupted by a restart): it recovers and, like a wiped log that Core sees by
  // itself, says it forgot its term (Message::forgot_term).
  bool may_have_forgotten_term = false;
  // Reads waiting for their heartbeat round (ReadIndex); beyond it ReadIndex refuses with
  // Unavailable ("too many pending reads").
  uint32_t reads_pending_max = 65536;

  // Seeds the election-timeout generator; give each node a distinct seed (the simulator
  // derives them from its seed, raft::Node from the node id and the clock).
  uint64_t random_seed = 1;

  // True when `voters` is empty: see `voters`.
  bool joining() const { return voters.empty(); }

  // InvalidArgument naming the first broken rule.
  Status Validate() const;
};

}  // namespace raftmq::raft
