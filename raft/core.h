// raft::Core: the Raft state machine of one node, pure and deterministic (etcd-io/raft's
// raft.go + rawnode.go are the model). It does no I/O, reads no clock, starts no thread and
// draws randomness only from a generator seeded by CoreOptions::random_seed, so the
// simulator replays any run from its seed.
//
// Inputs: Tick(), Step(message), Propose(), TransferLeadership(), Campaign().
// Output: Ready (raft/ready.h), taken with TakeReady() and acknowledged with Advance() once
// the driver persisted, sent and applied it. Between TakeReady() and Advance() no other
// method but the const observers may be called (asserted), and two Readys without an
// Advance() in between are an assert.
//
// Storage: Core reads durable entries through a `const storage::LogReader&` (the CommitLog)
// and keeps in memory only entries it has not yet handed out for persisting. The reader must
// reflect every Ready the driver persisted before Advance() and must outlive the Core.
//
// Safety rules kept here: one vote per term (restored from HardState); vote only for a log
// at least as up to date; a leader commits only by counting replicas of an entry of its own
// term, and counts its own entries only once they are persisted; a follower never truncates
// at or below its commit index; every message promising persisted state leaves only after
// the Ready that persisted it (Ready::messages_after_persist).
//
// Recovering (core_recovery.cc): a node that may have lost entries it acknowledged (the
// driver says so at start: a power loss under async flush; Core itself sees a wiped data dir:
// empty log, term 0, no vote) neither grants (pre-)votes, campaigns, nor counts toward commit
// (its responses say `recovering`, its leader leaves its match out of the count) until it is
// caught up: it holds the current leader's log up to that leader's last index at the moment
// the leader learned it recovers (Message::recovery_target). That index covers every entry
// committed before then, including any the node acknowledged and lost. A recovering node still
// sends pre-votes when its election timeout expires, only to learn who else recovers: when a
// majority of the voters (itself included) recover at once, they stop recovering and elect as
// usual, and the Ready says what may be lost (MajorityLossNotice).
// A node that lost its term and vote too (a wiped data dir; CoreOptions::may_have_forgotten_term)
// says so (Message::forgot_term): it would follow a deposed leader of an older term as readily as
// the current one, and a deposed leader that reached it first could bring it up to a stale log
// and count it toward a majority that overwrites newer commits. So a leader sets such a
// follower's target only once a read round started after it learned of the wipe was confirmed
// by a majority of voters that vouch for it (the wiped ones never do), and check-quorum does
// not count wiped followers either: a leader cut off from the others steps down. The price: a
// group with one node down and one wiped waits for the down one (two faults).
//
// Reads (core_read.cc): ReadIndex(request) on a leader records the commit index and waits for
// a heartbeat round started after it; once a majority answers that round, the read leaves in
// Ready::read_states. Batched: one round is out at a time, started by the next Ready when
// none is out, and every read asked before it starts shares it. A deposed leader's pending
// reads are dropped (the driver fails them on the role change).
//
// Snapshots (core_snapshot.cc; etcd's handleSnapshot / sendSnap): when a follower needs
// entries the leader's log no longer holds (compacted: RaftLog::IsCompacted), the leader asks
// its SnapshotReader for the latest snapshot; if one covers the gap (index >= FirstIndex() - 1,
// at most the commit) it sends kSnapshot naming it and the follower's Progress waits in
// kSnapshot (no appends) for the follower's answer or the driver's ReportSnapshot; if none
// does, it keeps probing and counts it (snapshots_unavailable()). A follower already holding
// the snapshot's (index, term), or committed at or beyond it, answers as to an append and
// restores nothing; otherwise the next Ready carries Ready::snapshot (the driver resets the
// log and restores the state machine before anything else) and the answer, accept at the
// snapshot's index, leaves after that Ready. From then on the log stands at the snapshot with
// commit = applied = its index. A recovering node that installs one stops recovering only if
// the snapshot reaches the leader's recovery target (it then holds everything committed
// before the leader learned it recovers, as state); below it, it recovers on until appends
// bring it to the target.
//
// Membership (core_membership.cc, raft/configuration.h; etcd's confchange and the Raft
// dissertation ch. 4): the group is a configuration of voters and learners. CoreOptions::voters
// is the bootstrap configuration, which a new group's first leader (its log empty) writes as
// entry 1, a kBootstrap change with CoreOptions::addresses, instead of its no-op; later leaders
// write no-ops. Create is handed the record the driver persisted (ready.h,
// step 5), folds in the membership entries between it and the applied index and reads those of
// the log above. A change (ProposeConfChange) moves one node and takes effect on each node
// when its entry is appended, reverting if a follower's divergent tail holding it is truncated.
// One at a time: the leader refuses a change while the last one is uncommitted, or before its
// own first entry committed. Learners receive appends and snapshots but never vote, campaign
// or count toward commit, check-quorum or reads. A node outside the voters (a learner, a node
// not added yet, a removed one) never campaigns, save one whose removal it appended and has not
// seen committed (it counts only the new voters, not itself); a leader that removed itself keeps
// replicating, not counting itself, until the removal commits, then steps down and stops
// sending. Messages are taken from any node (a new node learns who leads from its appends; a
// leader ignores answers from non-members); a removed node cannot disrupt: it does not campaign
// and pre-vote and the lease guard against one that does. A snapshot carries the configuration
// as of its index (SnapshotMeta::conf_state); one without voters is never sent.
//
// Joining (CoreOptions::voters empty: a node added to a running group, its data dir empty):
// its own options may be stale, so it takes nothing from them. It starts without a
// configuration (no voters, no learners) until entry 1 (the bootstrap), a snapshot or a
// persisted record gives it the group's; until then it never campaigns, never probes as
// recovering and counts nobody, but answers its leader's appends and snapshots (a leader
// talks to it once a change added it). A record or a snapshot without voters is still refused.
//
// Threading: not thread-safe; one thread (raft::Node's loop) owns a Core.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "raft/config_log.h"
#include "raft/configuration.h"
#include "raft/core_options.h"
#include "raft/message.h"
#include "raft/prng.h"
#include "raft/progress.h"
#include "raft/raft_log.h"
#include "raft/ready.h"
#include "raft/snapshot_reader.h"
#include "storage/hard_state.h"
#include "storage/log_store.h"

namespace raftmq::raft {

// What the leader knows of one peer (for status pages and metrics).
struct PeerStatus {
  NodeId id = kNoNode;
  Index match;
  Index next;
  bool replicating = false;  // false: probing, or waiting on a snapshot
  Index pending_snapshot;    // the snapshot sent and not yet answered; 0: none
  bool recent_active = false;
  bool learner = false;  // receives the log, never votes nor counts
};

class Core {
 public:
  // `hard_state` as loaded from the HardStateStore; `applied` is the last index the state
  // machine applied durably (0 for a fresh one): committed entries after it are handed out
  // again. InvalidArgument on bad options; Corruption when the log cannot be read or the
  // state is inconsistent (applied beyond what the log holds, or below its first index - 1:
  // a snapshot install cut between the log's reset and the state machine's restore, which the
  // driver must finish before creating the Core). `snapshots` (null: this node never sends
  // snapshots) must outlive the Core. `applied_conf`: the configuration the driver persisted
  // (applied_conf_record() after a Ready with conf_state, or an installed snapshot's), at its own
  // index, which may lie below `applied` (the membership entries in between are read from the
  // log) or above it (entries up to it are committed and already in it; config_log.h); nothing
  // when it never saw one (the bootstrap options.voters then, or no configuration at all for a
  // joining node: see "Joining"); InvalidArgument when malformed or without voters.
  static Result<std::unique_ptr<Core>> Create(const CoreOptions& options, const storage::LogReader& log,
                                              const storage::HardState& hard_state, Index applied,
                                              const SnapshotReader* snapshots,
                                              const std::optional<storage::ConfRecord>& applied_conf = std::nullopt);

  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // One unit of logical time: drives elections (followers, candidates) and heartbeats,
  // check-quorum and transfer deadlines (leader).
  void Tick();
  // A message from a peer. Stale terms are answered or dropped; messages not addressed to
  // this node are dropped (they come from the network: no assert); a leader ignores answers
  // from non-members (see "Membership").
  void Step(const Message& message);
  // Appends an entry on the leader and returns its index; the entry's term is term() at
  // return. It is committed when a later Ready lists it in committed_entries; if the entry
  // committed at that index carries another term, the proposal was lost to a leadership
  // change (the driver fails it then). Errors (nothing changed):
  //   Unavailable: not the leader (leader() is the hint; the message names it), or a
  //                leadership transfer is in progress;
  //   NoSpace:     the uncommitted entries exceed uncommitted_bytes_max (back-pressure);
  //   InvalidArgument: `kind` is not the application's (0, or one of Raft's own kinds:
  //                    raft/entry_kind.h; membership changes go through ProposeConfChange).
  Result<Index> Propose(EntryKind kind, std::string payload);
  // Appends a membership change on the leader (see "Membership"); it takes effect at once on
  // this node. Errors (nothing changed):
  //   Unavailable:     not the leader, a leadership transfer in progress, this leader's first
  //                    entry not committed yet, or the previous change not committed yet;
  //   InvalidArgument: the change does not apply (raft/configuration.h: ApplyConfChange);
  //   Aborted:         a promotion of a learner that lags the leader's last index by more than
  //                    learner_promote_lag_entries_max, recovers, was not heard from lately or
  //                    has not accepted this leader's appends yet;
  //                    a voter's removal that would leave fewer than a majority of the voters
  //                    left heard from lately and not recovering (etcd's strict reconfig check);
  //   NotSupported:    an add-learner while this leader's log still holds index 1 and entry 1
  //                    is not a bootstrap (a group created before bootstrap entries): the new
  //                    node, replaying from index 1, could not learn the configuration. It
  //                    becomes possible once retention deleted index 1 (the new node then gets
  //                    a snapshot, which carries the configuration). A bootstrap is never
  //                    proposed (InvalidArgument).
  Result<Index> ProposeConfChange(const ConfChange& change);
  // Hands leadership to `target` once it is caught up. Errors: InvalidArgument (unknown or
  // self), Unavailable (not leader, or another transfer in progress), Aborted (target lags
  // by more than transfer_lag_entries_max). On OK the transfer runs; it ends when the target
  // wins an election or is aborted after election_timeout_ticks_min ticks.
  Status TransferLeadership(NodeId target);
  // Starts an election now (with pre-vote when enabled), as an expired election timeout would
  // (a recovering node probes instead: see "Recovering"). No-op on a leader.
  void Campaign();
  // Leader only: the driver's word on the kSnapshot it was handed for `to`: the transfer
  // finished (`delivered`: the follower got the files) or failed. Moves `to` from waiting on
  // the snapshot to probing (see "Snapshots"); ignored when `to` is not waiting on one. The
  // driver reports every kSnapshot it is handed, or the follower waits until it answers.
  void ReportSnapshot(NodeId to, bool delivered);
  // Leader only: confirm leadership for a read (see "Reads" above); `request` is the caller's
  // id, echoed in a ReadState. Unavailable (nothing queued) when not the leader.
  Status ReadIndex(uint64_t request);

  // True while there is work. A failed LogReader read (counted in read_errors()) is retried
  // at the next Ready, so a persistently unreadable log keeps HasReady() true: the driver
  // should watch read_errors() and stop.
  bool HasReady() const;
  Ready TakeReady();
  void Advance();

  NodeId id() const { return options_.id; }
  Role role() const { return role_; }
  NodeId leader() const { return leader_; }
  Term term() const { return term_; }
  Index commit_index() const { return log_.committed(); }
  Index applied_index() const { return log_.applied(); }
  Index last_index() const { return log_.LastIndex(); }
  NodeId transfer_target() const { return transfer_target_; }
  bool recovering() const { return recovering_; }
  // What a Ready's soft_state reports when it changes; the state a new Core starts in is
  // never in a Ready, so its owner reads it here.
  SoftState CurrentSoftState() const;
  uint64_t uncommitted_bytes() const { return uncommitted_bytes_; }
  // Reads of the LogReader that failed (retried later); a metric for the driver.
  uint64_t read_errors() const { return log_.read_errors(); }
  // Times a follower needed compacted entries and no snapshot covered the gap (the leader kept
  // probing); a metric for the driver: retention ran ahead of snapshots.
  uint64_t snapshots_unavailable() const { return snapshots_unavailable_; }
  // Empty unless leader: every other member, voters and learners (PeerStatus::learner).
  std::vector<PeerStatus> Peers() const;
  // The configuration in force (as of the last membership entry appended).
  const ConfState& configuration() const { return config_.current(); }
  // The configuration as of the applied index: what the driver persists (Ready::conf_state).
  const ConfState& applied_configuration() const { return config_.applied(); }
  // The same with the index it stands from: what the driver persists and hands back to Create.
  storage::ConfRecord applied_conf_record() const { return config_.applied_record(); }

 private:
  Core(const CoreOptions& options, const storage::LogReader& log, const storage::HardState& hard_state,
       Index applied, const SnapshotReader* snapshots, ConfigLog config);

  // core.cc: term checks and dispatch.
  void StepLeader(const Message& message);
  void StepCandidate(const Message& message);
  void StepFollower(const Message& message);
  void StepStaleTerm(const Message& message);
  void Send(Message message);
  void ResetTerm(Term term);
  void ResetElectionTimeout();
  bool IsVoter(NodeId node) const { return IsVoterIn(config_.current(), node); }
  // May campaign (etcd's promotable): a voter, or a node whose own removal it appended and
  // has not seen committed; it may hold the only copy of that change the other voters need.
  // As a candidate it counts only the new voters' votes, not its own.
  bool Promotable() const;
  size_t Quorum() const { return config_.current().voters.size() / 2 + 1; }

  // Only these change role_.
  void BecomeFollower(Term term, NodeId leader);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();

  // core_election.cc
  void TickElection();
  void StartElection(bool transfer);
  void RequestVotes(MessageType type, Term term, bool transfer);
  void HandleVoteRequest(const Message& message);
  void HandleVoteResponse(const Message& message);
  bool InLease(const Message& message) const;
  void CountSelfVote();

  // core_replication.cc
  void TickHeartbeat();
  // When a kAppend without entries is worth sending.
  enum class EmptyAppend : uint8_t {
    kNever,
    kIfCommitNews,  // the follower has not been sent the current commit yet
    kAlways,        // a probe: a follower that lost an append rejects it and is resent
  };
  void BroadcastAppends(EmptyAppend empty);
  bool SendAppend(NodeId to, EmptyAppend empty);
  void SendHeartbeat(NodeId to);
  void HandleAppend(const Message& message);
  void HandleHeartbeat(const Message& message);
  void HandleAppendResponse(const Message& message);
  void HandleHeartbeatResponse(const Message& message);
  void NoteRecovering(Progress& progress, const Message& answer);
  void AppendAsLeader(EntryKind kind, std::string payload);
  bool MaybeCommit();
  void CheckQuorum();

  // core_snapshot.cc
  // The follower needs compacted entries: send the latest snapshot if one covers them.
  bool SendSnapshot(NodeId to);
  void HandleSnapshot(const Message& message);

  // core_recovery.cc
  void NoteRecoveringVoter(NodeId voter);
  // True (and recovering_ cleared, the notice queued) when a majority recovers at once.
  bool MaybeEndRecoveryForMajority();
  // A follower that holds its leader's log up to `matched` (this term's leader vouched for it).
  void MaybeEndRecovery(Index matched, Index target);
  void StopRecovering();
  void StartRecoveryProbe();

  // core_read.cc
  bool HasRoundToStart() const;
  void StartReadRound();
  void ConfirmRound();

  // core_membership.cc
  // The configuration as of `applied` and the membership entries of the log above it.
  static Result<ConfigLog> ReadConfigLog(const CoreOptions& options, const storage::LogReader& log, Index applied,
                                         const std::optional<storage::ConfRecord>& applied_conf);
  // Feeds appended entries to config_; on a leader, its Progress follows the configuration.
  void NoteAppended(const std::vector<LogEntry>& entries);
  // `new_term`: a new leader's members count as active for its first check-quorum window; a
  // node added later has not been heard from.
  void TrackMembers(bool new_term);
  // A leader drops the Progress of nodes whose removal committed.
  void ForgetRemoved();
  // A leader whose removal committed steps down (after telling its followers the commit).
  void MaybeStepDownRemoved();
  // A new leader's first entry: the bootstrap on an empty log, else a no-op; sets
  // term_start_index_.
  void AppendFirstEntryOfTerm();
  // NotSupported when a node added now could not learn the configuration from the log (see
  // ProposeConfChange); Unavailable when entry 1 cannot be read.
  Status CheckNewNodeCanLearnConfiguration() const;

  // core_transfer.cc
  void MaybeSendTimeoutNow(NodeId to);
  void MaybeTransferToPreferred();
  void AbortTransfer();

  // core_ready.cc
  storage::HardState CurrentHardState() const;

  CoreOptions options_;
  const SnapshotReader* const snapshots_;  // may be null
  RaftLog log_;
  ConfigLog config_;
  Prng prng_;

  Term term_;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;
  Role role_ = Role::kFollower;

  // Ticks since the last reset: for a follower since it heard from a leader, for a leader
  // since the last check-quorum / transfer start.
  uint32_t election_elapsed_ = 0;
  uint32_t heartbeat_elapsed_ = 0;
  // In [election_timeout_ticks_min, election_timeout_ticks_max).
  uint32_t election_timeout_ticks_ = 0;

  // Leader only: one Progress per member (voters and learners) and this node (its match moves on
  // Advance), also while it replicates its own removal.
  std::map<NodeId, Progress> progress_;
  // (Pre-)candidate only: the answers so far.
  std::map<NodeId, bool> votes_;
  NodeId transfer_target_ = kNoNode;
  // Leader only: payload bytes of this term's entries after the commit index.
  uint64_t uncommitted_bytes_ = 0;
  // Leader: entries were appended since the last broadcast (batched into one kAppend each).
  bool broadcast_pending_ = false;
  uint64_t snapshots_unavailable_ = 0;

  std::vector<Message> messages_;
  std::vector<Message> messages_after_persist_;
  SoftState reported_soft_;
  storage::HardState reported_hard_;
  // The hard state the driver persisted (advanced), for counting a candidate's own vote.
  storage::HardState persisted_hard_;
  bool ready_outstanding_ = false;

  // Recovering: see the header comment. recovering_voters_ holds who said so in the current
  // (pre-)vote round, this node included.
  bool recovering_ = false;
  // Only while recovering_: the data dir was wiped, so this node forgot its term and vote too
  // (Message::forgot_term).
  bool forgot_term_ = false;
  std::set<NodeId> recovering_voters_;
  Index commit_hint_at_start_;
  std::optional<MajorityLossNotice> majority_loss_;
  // Ended its recovery for a majority loss and has seen neither a leader nor a new term since: its (pre-)vote
  // messages still say `recovering`, so the others of that majority learn it too (without
  // this, one node leaving first could leave the rest unable to count a majority).
  bool majority_loss_unresolved_ = false;

  // Reads: a round is a number; reads wait for a round started after them to be confirmed by
  // a majority. read_round_ is the last round started, read_round_confirmed_ the last one a
  // majority answered (<= read_round_; a new round starts only when they are equal: one round
  // out at a time); pending reads are in request order.
  struct PendingRead {
    uint64_t request = 0;
    Index index;
    uint64_t round = 0;  // 0 until the round that confirms it starts
  };
  std::vector<PendingRead> pending_reads_;  // size <= reads_pending_max
  uint64_t read_round_ = 0;
  uint64_t read_round_confirmed_ = 0;
  // Leader only: the index of its no-op (or a new group's bootstrap), the first entry of its term.
  Index term_start_index_;
  std::vector<ReadState> read_states_;
};

}  // namespace raftmq::raft
