// ConfState: who is in a Raft group at some point of its log (etcd's raftpb.ConfState): the
// voters, who elect and whose majority commits, and the learners, who receive the log but
// never vote nor count. It travels with a snapshot (SnapshotMeta) and is what a driver
// persists beside its applied index (raft/ready.h), so a restarted node knows the membership
// in force where its state machine stands. Raft interprets it (raft/configuration.h); storage
// only carries it.
//
// ConfRecord: a ConfState with the index it stands at (the membership entry that made it, an
// installed snapshot's index, or 0 for the bootstrap voters): what a driver persists
// (HardStateStore::SaveConfRecord) and hands back to raft::Core::Create at start.
//
// `addresses`: where to reach members ("host:port", one address for peers and clients), as the
// add-learner change that added each one said; a member without one is reached where the
// node's own configuration (the broker's TOML `peers`, the bootstrap) says.
//
// Invariants kept by raft::ApplyConfChange: ids are non-zero, sorted, distinct, and no id is
// both a voter and a learner; every id in `addresses` is a member. Empty voters: unknown
// (nothing recorded it).
//
// Threading: a plain value.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/log_ids.h"

namespace raftmq::storage {

struct ConfState {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  std::map<NodeId, std::string> addresses;

  bool operator==(const ConfState&) const = default;
};

struct ConfRecord {
  Index index;
  ConfState conf;

  bool operator==(const ConfRecord&) const = default;
};

}  // namespace raftmq::storage
