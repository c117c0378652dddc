// Which node of a group `raftmq cluster status` trusts as its leader. Each node answers
// NodeStatus on its own, so two may say LEADER: one deposed (paused, partitioned, or with a
// failed disk) that has not yet heard of the newer term. Raft's rule decides: the highest term
// wins. The reference leader is a node saying LEADER at the highest term any node of the
// group reports; a node saying LEADER at a lower term is stale and is shown as such.
//
// Threading: pure functions.
#pragma once

#include <span>

#include "client/admin.h"

namespace raftmq::client {

// Over the reports of one group: sets each answering node's replication_lag against the
// reference leader (left -1 without one) and marks stale leaders. Returns the reference, or
// nullptr when no answering node says LEADER at the highest term.
const NodeReport* MarkGroupLeader(std::span<NodeReport> group);

}  // namespace raftmq::client
