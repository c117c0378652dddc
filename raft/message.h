// Message: everything raft::Core consumes and emits between nodes. Local events (a tick's
// election or heartbeat, a proposal) are not messages here: Core has methods for them.
// Wire encoding lives with the transport (proto/raft_peer.proto); this struct is the core's.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/log_ids.h"
#include "raft/entry_kind.h"
#include "storage/log_store.h"

namespace raftmq::raft {

using storage::LogEntry;

enum class MessageType : uint8_t {
  kPreVote = 1,       // "would you vote for me at term+1?" (term is the prospective one)
  kPreVoteResponse,
  kVote,
  kVoteResponse,
  kAppend,            // entries after (log_index, log_term), plus the leader's commit
  kAppendResponse,    // reject=false: holds up to log_index; reject=true: see reject_hint_*
  kHeartbeat,         // carries the leader's commit (capped at what the follower matches)
  kHeartbeatResponse,
  kTimeoutNow,        // leadership transfer: campaign at once, skipping pre-vote
  kSnapshot,          // install the leader's snapshot (log_index, log_term), plus its commit;
                      // the files travel apart (the snapshot transport); answered by kAppendResponse
};

std::string_view MessageTypeName(MessageType type);

struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term;
  // kAppend: the entry preceding `entries`. kVote/kPreVote: the candidate's last entry.
  // kAppendResponse: the last index the follower now holds (accept) or was asked about (reject).
  // kSnapshot: the snapshot's index and term (storage::SnapshotMeta).
  Index log_index;
  Term log_term;
  // kAppend / kHeartbeat / kSnapshot: the leader's commit (a heartbeat's capped at the
  // follower's match).
  // kAppendResponse: the follower's commit, so the leader knows whether to tell it more.
  Index commit;
  std::vector<LogEntry> entries;
  bool reject = false;
  // On a rejected append: the follower's best guess of where logs may agree, so the leader
  // skips a whole conflicting term at once instead of one entry per round trip.
  Index reject_hint_index;
  Term reject_hint_term;
  // kVote / kVoteResponse sent because of kTimeoutNow (a leadership transfer): voters grant it
  // even inside the leader lease, since the leader itself asked for it.
  bool leadership_transfer = false;
  // Responses (append, heartbeat, (pre-)vote) and (pre-)vote requests: the sender may have lost
  // entries it acknowledged (power loss under async flush, a wiped data dir) and is catching
  // up; it neither votes nor counts toward commit (raft/core.h, "Recovering").
  bool recovering = false;
  // With `recovering`: the sender's data dir was wiped, so it forgot its term and vote too. Its
  // answers cannot tell a deposed leader from the current one: a leader gives it a
  // recovery_target only after a majority of the others confirmed its leadership, and neither
  // its acks of reads nor its activity keep a leader in office (raft/core.h, "Recovering").
  bool forgot_term = false;
  // kAppend / kHeartbeat / kSnapshot to a recovering follower: it stops recovering once it holds this
  // leader's log up to here (the leader's last index when it learned the follower recovers).
  Index recovery_target;
  // kHeartbeat: the read round it confirms (Core::ReadIndex), echoed in kHeartbeatResponse;
  // 0: none. kHeartbeatResponse also carries the follower's last index in log_index.
  uint64_t read_round = 0;
  // kSnapshot: the configuration as of the snapshot (SnapshotMeta::conf_state).
  storage::ConfState conf_state;

  bool operator==(const Message&) const = default;
};

}  // namespace raftmq::raft
