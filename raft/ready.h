// Ready: one batch of work raft::Core hands its driver (etcd's rawnode.Ready is the model).
//
// The driver handles a Ready in this order, then calls Core::Advance():
//   0. if `snapshot` is set (a follower installing its leader's snapshot):
//      LogStore::ResetToSnapshot(*snapshot), then StateMachine::RestoreSnapshot(the files the
//      snapshot transport received for it, *snapshot); afterwards the state machine's applied
//      index is snapshot->index and committed entries continue after it;
//   1. if `truncate_after` is set: LogStore::TruncateSuffix(*truncate_after);
//   2. LogStore::Append(entries);
//   3. if `must_sync`: LogStore::Sync() (when entries were appended);
//      if `hard_state` is set: HardStateStore::SaveHardState(*hard_state) (always durable);
//   4. send `messages_after_persist` (they promise what steps 1-3 made durable: a vote, a
//      term, appended entries);
//   5. when `conf_state` is set, persist Core::applied_conf_record() (the configuration with the
//      index of the change that made it) before applying: an applied entry may delete older
//      ones (retention), and a restart hands the record to Core::Create, which takes it below
//      or above the state machine's applied index (config_log.h). After step 0 the snapshot's
//      conf_state stands so, at its index. Then apply `committed_entries` in order (or hand
//      them to the applier; Core treats them as delivered once the Ready is taken).
// `messages` need no persistence and may be sent at once, even before step 1 (the leader's
// appends go out while it writes the same entries to its own disk).
//
// Invariants: entries are consecutive; when `truncate_after` is set the first entry's index
// is *truncate_after + 1 and the entries it removes were never committed; `snapshot` and
// `truncate_after` are never both set, and with a snapshot the entries (if any) start at
// snapshot->index + 1, as do the committed entries; committed entries are consecutive and
// follow the previous Ready's (or the snapshot).
//
// Threading: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/log_ids.h"
#include "raft/message.h"
#include "storage/hard_state.h"
#include "storage/log_store.h"

namespace raftmq::raft {

enum class Role : uint8_t {
  kFollower = 1,
  kPreCandidate,  // asking for pre-votes; its term has not moved yet
  kCandidate,
  kLeader,
};

std::string_view RoleName(Role role);

// What a node is right now; volatile, never persisted. Reported in a Ready when it changed.
struct SoftState {
  Role role = Role::kFollower;
  NodeId leader = kNoNode;  // kNoNode while unknown
  Term term;
  // This node may have lost entries it acknowledged and is catching up: it neither votes,
  // campaigns nor counts toward commit (raft/core.h, "Recovering").
  bool recovering = false;

  bool operator==(const SoftState&) const = default;
};

// A read confirmed by a heartbeat round (Core::ReadIndex): once the state machine has applied
// `index`, the read sees every write committed before it was asked, so it is linearizable.
struct ReadState {
  uint64_t request = 0;  // the caller's id, as given to ReadIndex
  Index index;
};

// This node stopped recovering because a majority of the group was recovering at once (lost
// power together, or a new group): entries committed after `log_last`, what its log still
// holds, may be gone for good; before the loss it had seen commit up to `commit_seen`.
struct MajorityLossNotice {
  Index log_last;
  Index commit_seen;
};

struct Ready {
  std::optional<SoftState> soft_state;  // set when role, leader or term changed
  // Set when term, vote or commit changed since the last Ready. A change of the commit
  // index alone does not need to be saved at once (it is a recovery hint).
  std::optional<storage::HardState> hard_state;
  // True when entries were appended, a snapshot installed or term/vote changed: persist
  // durably before step 4.
  bool must_sync = false;
  // Install this snapshot first (step 0).
  std::optional<storage::SnapshotMeta> snapshot;
  // A follower overwriting a divergent, uncommitted tail: keep entries up to this index.
  std::optional<Index> truncate_after;
  std::vector<storage::LogEntry> entries;
  std::vector<Message> messages;
  std::vector<Message> messages_after_persist;
  std::vector<storage::LogEntry> committed_entries;
  // Reads confirmed since the last Ready; serve each once `index` is applied.
  std::vector<ReadState> read_states;
  // Set once, in the Ready after this node gave up recovering for a majority loss: log it loudly.
  std::optional<MajorityLossNotice> majority_loss;
  // The configuration as of the last committed entry, when those entries changed it (step 5).
  std::optional<storage::ConfState> conf_state;

  bool empty() const {
    return !soft_state && !hard_state && !snapshot && !truncate_after && entries.empty() && messages.empty() &&
           messages_after_persist.empty() && committed_entries.empty() && read_states.empty() && !majority_loss &&
           !conf_state;
  }
};

}  // namespace raftmq::raft
