// Membership changes (issue 12; the Raft dissertation ch. 4, single-server changes; etcd's
// confchange/ and ConfChangeSingle are the model). A change is the payload of a
// kMembershipEntry (raft/entry_kind.h) and moves one node at a time:
//   add-learner:  a new node receives the log but neither votes nor counts toward commit;
//   promote:      a learner becomes a voter (the leader allows it only once it caught up);
//   remove:       a voter or learner leaves.
// Replacing a node is the three in turn, driven by the caller. A configuration takes effect on
// a node when its entry is appended (not when it commits), and one change at a time keeps
// every majority of the old voters overlapping every majority of the new ones.
//
// Payload (9 bytes): one byte type (1 add-learner, 2 promote, 3 remove), then the node id as
// 8 bytes little-endian. Stored on disk: never reuse a type value.
//
// Threading: pure functions and plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/log_ids.h"
#include "common/result.h"
#include "storage/conf_state.h"

namespace raftmq::raft {

using storage::ConfState;

enum class ConfChangeType : uint8_t {
  kAddLearner = 1,
  kPromote = 2,
  kRemove = 3,
};

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddLearner;
  NodeId node = kNoNode;

  bool operator==(const ConfChange&) const = default;
};

inline constexpr size_t kConfChangePayloadBytes = 9;

std::string EncodeConfChange(const ConfChange& change);
// InvalidArgument when the payload is not one (wrong size, unknown type, node 0): bytes from
// the log, so no assert.
Result<ConfChange> DecodeConfChange(std::string_view payload);

// The configuration after `change`; InvalidArgument (naming why) when it does not apply: adding
// a member, promoting a non-learner, removing a non-member, removing the last voter.
Result<ConfState> ApplyConfChange(const ConfState& config, const ConfChange& change);

// InvalidArgument unless the configuration keeps ConfState's invariants and has voters (it may
// come from a peer or a file).
Status CheckConfState(const ConfState& config);

bool IsVoterIn(const ConfState& config, NodeId node);
bool IsLearnerIn(const ConfState& config, NodeId node);
bool IsMemberOf(const ConfState& config, NodeId node);
// "voters=[1,2,3] learners=[4]", for messages and transcripts.
std::string DescribeConfState(const ConfState& config);
std::string DescribeConfChange(const ConfChange& change);

}  // namespace raftmq::raft
