// Membership changes (issue 12; the Raft dissertation ch. 4, single-server changes; etcd's
// confchange/ and ConfChangeSingle are the model). A change is the payload of a
// kMembershipEntry (raft/entry_kind.h) and moves one node at a time:
//   add-learner:  a new node receives the log but neither votes nor counts toward commit;
//   promote:      a learner becomes a voter (the leader allows it only once it caught up);
//   remove:       a voter or learner leaves;
//   bootstrap:    the whole configuration of a new group, which replaces whatever came before;
//                 a new group's first leader writes it as entry 1 (instead of its no-op), so a
//                 node joining later learns the group from the log, not from its own options.
// Replacing a node is the three in turn, driven by the caller. A configuration takes effect on
// a node when its entry is appended (not when it commits), and one change at a time keeps
// every majority of the old voters overlapping every majority of the new ones.
//
// Payload: one byte type (1 add-learner, 2 promote, 3 remove), then the node id as 8 bytes
// little-endian (9 bytes); an add-learner may go on with the node's address ("host:port", the
// rest of the payload), which the configuration then carries (ConfState::addresses) so every
// member can reach it. Stored on disk: never reuse a type value.
//
// Bootstrap payload (type 4; stored on disk, integers little-endian):
//   byte 0            4
//   bytes 1-2         voter count n, 1..kBootstrapVotersMax
//   then n times      node id (8 bytes, non-zero, ascending), address length a (2 bytes; 0: none,
//                     else at most kPeerAddressBytesMax), the address (a bytes, "host:port")
//   nothing after the last voter. A bootstrap carries no learners (a new group has none).
//
// Threading: pure functions and plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "storage/conf_state.h"

namespace raftmq::raft {

using storage::ConfState;

enum class ConfChangeType : uint8_t {
  kAddLearner = 1,
  kPromote = 2,
  kRemove = 3,
  kBootstrap = 4,
};

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddLearner;
  NodeId node = kNoNode;  // kNoNode for a bootstrap: it names no single node
  std::string address;  // add-learner only; empty: none (see the header)
  ConfState configuration;  // bootstrap only: the group's voters and their addresses

  bool operator==(const ConfChange&) const = default;
};

// The fixed part of a payload (type and node id); an add-learner's address follows it.
inline constexpr size_t kConfChangePayloadBytes = 9;
// An address longer than this is refused (a DNS name is at most 253 bytes, the port 6 more).
inline constexpr size_t kPeerAddressBytesMax = 260;
// A bootstrap names at most this many voters (a group has 3 or 5).
inline constexpr size_t kBootstrapVotersMax = 255;

// InvalidArgument unless `address` is "host:port": a non-empty host of printable characters
// without spaces, a port in 1..65535, at most kPeerAddressBytesMax bytes in all.
Status CheckPeerAddress(std::string_view address);

// A bootstrap's configuration must pass CheckConfState and hold no learners (asserted).
std::string EncodeConfChange(const ConfChange& change);
// InvalidArgument when the payload is not one (wrong size, unknown type, node 0, an address
// CheckPeerAddress refuses or on a change other than add-learner; a bootstrap cut short, with
// bytes after its last voter, no voters or more than kBootstrapVotersMax, ids not ascending, an
// address too long or refused): bytes from the log, so no assert.
Result<ConfChange> DecodeConfChange(std::string_view payload);
// The bootstrap a new group's first leader writes: `voters` with the addresses of those
// `addresses` names (others' are left out; each must pass CheckPeerAddress).
ConfChange BootstrapChange(const std::vector<NodeId>& voters, const std::map<NodeId, std::string>& addresses);

// The configuration after `change`; InvalidArgument (naming why) when it does not apply: adding
// a member (or with an address CheckPeerAddress refuses), promoting a non-learner, removing a
// non-member, removing the last voter; anything but a bootstrap on a configuration without
// voters (a joining node's, before it learned its group). An add-learner's address goes into
// ConfState::addresses; a removal drops the node's. A bootstrap replaces the configuration.
Result<ConfState> ApplyConfChange(const ConfState& config, const ConfChange& change);

// InvalidArgument unless the configuration keeps ConfState's invariants, has voters and every
// address passes CheckPeerAddress (it may come from a peer or a file).
Status CheckConfState(const ConfState& config);

// Where to reach the other members: the configuration's addresses with `bootstrap` (the node's
// own configuration: a broker's TOML peers) over them, `self` left out. A node's own view wins
// where it names a node (the address it dials may differ from the one its peers dial: another
// network, a per-pair alias); the configuration reaches the nodes it does not name (added
// since). Node ids are never reused, so an own entry is never another node's.
std::map<NodeId, std::string> PeerAddresses(NodeId self, const std::map<NodeId, std::string>& bootstrap,
                                            const ConfState& config);

bool IsVoterIn(const ConfState& config, NodeId node);
bool IsLearnerIn(const ConfState& config, NodeId node);
bool IsMemberOf(const ConfState& config, NodeId node);
// "voters=[1,2,3] learners=[4]" (then " addresses={4=host:port}" when it has any), for
// messages and transcripts.
std::string DescribeConfState(const ConfState& config);
std::string DescribeConfChange(const ConfChange& change);

}  // namespace raftmq::raft
