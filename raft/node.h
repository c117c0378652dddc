// raft::Node: the driver of one raft::Core. It owns the Core and one loop thread that
// batches everything: wait for work or the next tick, step every message in the inbox, hand
// every queued proposal to the core, tick when due, then for each Ready: send `messages`,
// persist (truncate, append, sync when must_sync, save the hard state when term or vote
// changed), send `messages_after_persist`, apply committed entries to the StateMachine,
// Advance(): etcd's rawnode loop, run at the node's own pace and batched as TigerBeetle does.
//
// Durability comes from the LogStore's flush policy: with the CommitLog's kSync, Sync()
// fsyncs before any ack leaves; with kAsync (default) Sync() returns at once and an ack
// means "in this node's page cache", so a committed entry is in the page cache of a majority
// (survives process crashes, not a simultaneous power loss of a majority). Term and vote are
// always synced (HardStateStore) before a message relying on them leaves.
//
// Failover: besides the election timeout, a follower campaigns a few ticks after the stream
// from its leader ends (NodeOptions::campaign_on_leader_disconnect), so a leader whose
// process dies is replaced in about 100 ms.
//
// Storage faults never leave a zombie (node_storage_fault.cc). A failed write to the log, the
// HardStateStore or the StateMachine, or a committed entry that cannot be read, sets the
// Node aside at once: it drops its Core (a Raft node must not go on from a state it could
// not persist), publishes a soft state that is not leader (the hint is the leader it hears
// from, never itself), neither leads nor campaigns nor answers peers, and retries with a
// bounded backoff (NodeOptions::storage_fault_retry_interval_ms_*): a retry rebuilds the Core
// from what storage holds and rejoins as a follower that catches up. When storage cannot be
// trusted (Corruption, or a LogStore that NeedsReopen() after a failed fsync) the Node stops
// for good with one error line: failure() says why and on_storage_fatal runs.
//
// Snapshots (node_snapshot.cc), with NodeSnapshots given: the Core's SnapshotReader is the
// store. A kSnapshot the Core sends goes to the shipper first; once the follower holds the
// files the Node sends the message and reports the transfer to the Core (ReportSnapshot). A
// follower steps a kSnapshot only when its store holds those files (else it drops it: the
// leader probes again and sends anew), and installs one by adopting the files, resetting the
// log to the snapshot and restoring the state machine from them.
//
// Membership (raft/core.h): the Node persists the configuration the applied index reaches
// (Core::applied_conf_record(), when a Ready carries conf_state, and an installed snapshot's) in
// the HardStateStore, synced, before it applies that Ready's entries: an entry the state
// machine applies may delete older entries (retention), and the record must cover any change
// among them. At start it hands the record back to Core::Create, which takes it whether it
// stands below the state machine's applied index or above it (config_log.h). The snapshot
// store is told each configuration (NoteConfiguration), so a snapshot records the one as of
// its own index.
//
// Proposal outcomes: OK once applied; Unavailable means "not stored" (refused before the
// Core appended it, or its index was taken by another leader's entry); Aborted means the
// entry was appended and may have been sent, so it may still commit: the outcome is unknown.
//
// Lifetime: the LogStore, HardStateStore, StateMachine and Transport outlive the Node.
// Threading: every public method may be called from any thread. StateMachine::Apply and
// proposal callbacks run on the loop thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "raft/core.h"
#include "raft/node_metrics.h"
#include "raft/node_options.h"
#include "raft/proposal_tracker.h"
#include "raft/snapshot_shipper.h"
#include "raft/snapshot_store.h"
#include "raft/state_machine.h"
#include "raft/transport.h"
#include "storage/hard_state.h"
#include "storage/log_store.h"

namespace raftmq::raft {

// What the node-status RPC reports.
struct NodeStatus {
  NodeId id = kNoNode;
  Role role = Role::kFollower;
  Term term;
  NodeId leader = kNoNode;
  Index commit;
  Index applied;
  Index last_index;
  std::vector<PeerStatus> peers;  // each follower's match and next; leader only
  ConfState configuration;        // in force: as of the last membership entry appended
};

// What a Node catches followers up with once the log no longer holds what they need. Both
// null (the default): it never sends nor installs a snapshot. Both outlive the Node, and the
// shipper is stopped before the Node is destroyed (its callbacks post to the Node).
struct NodeSnapshots {
  SnapshotStore* store = nullptr;
  SnapshotShipper* shipper = nullptr;
};

class Node {
 public:
  // Loads the hard state, asks the state machine where it stands and starts the loop.
  static Result<std::unique_ptr<Node>> Start(NodeOptions options, storage::LogStore* log,
                                             storage::HardStateStore* hard_state_store,
                                             StateMachine* state_machine, Transport* transport,
                                             NodeSnapshots snapshots = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Messages from the network (the transport's MessageHandler).
  void Deliver(std::vector<Message> messages);
  // The stream from `peer` ended (the transport's PeerDisconnectHandler); see
  // NodeOptions::campaign_on_leader_disconnect.
  void PeerDisconnected(NodeId peer);

  // Proposes an entry; `done` runs once the entry is applied (OK with the state machine's
  // value) or the proposal failed. Fails at once, without queueing, when this node does not
  // believe it leads (Unavailable + leader hint) or too many proposals are pending. `kind` is
  // the application's (raft/entry_kind.h): Raft stores it and hands it back unread.
  void Propose(EntryKind kind, std::string payload, ProposalCallback done);
  std::future<ProposalOutcome> Propose(EntryKind kind, std::string payload);

  // Proposes a membership change (Core::ProposeConfChange; its errors are the outcome's, with
  // the leader hint: NotSupported for an add-learner on a log that begins without its
  // configuration); `done` as for Propose: OK once the change's entry is applied. Queued with
  // the proposals, in order.
  void ProposeConfChange(const ConfChange& change, ProposalCallback done);
  std::future<ProposalOutcome> ProposeConfChange(const ConfChange& change);

  // A linearizable read (Core::ReadIndex): `done` runs on the loop thread with OK once this
  // node confirmed, in a heartbeat round with a majority started after the call, that it
  // still leads, and applied everything committed before the call; Unavailable when it does
  // not lead or loses leadership first (the hint is LeaderHint()); Aborted when stopped.
  // Reads asked while a round is out share the next round (one out at a time). Keep `done`
  // short.
  using ReadCallback = std::function<void(Status)>;
  void ReadIndex(ReadCallback done);

  // These two wait for the loop thread, so never call them from a callback of this Node.
  // See Core::TransferLeadership; Aborted when the Node has stopped.
  Status TransferLeadership(NodeId target);
  // A consistent snapshot taken on the loop thread; Aborted when the Node has stopped.
  Result<NodeStatus> CurrentStatus();

  // Stops the loop without any handoff (a leader just goes quiet); fails what is pending with
  // Aborted. Idempotent.
  void Stop();

  // The configuration in force (as of the last membership entry appended: voters, learners and
  // the addresses the log gave them), for status pages; empty while a joining node has not
  // learned its group, or once stopped before it started. From any thread.
  ConfState Configuration() const;

  NodeId id() const { return id_; }
  bool IsLeader() const { return metrics_.is_leader.load(std::memory_order_relaxed) != 0; }
  NodeId LeaderHint() const { return leader_hint_.load(std::memory_order_relaxed); }
  // OK unless storage that cannot be trusted stopped the Node for good.
  Status failure() const;
  // The storage error the Node is set aside for and retrying; OK while healthy.
  Status storage_fault() const;
  const NodeMetrics& metrics() const { return metrics_; }

 private:
  // An application entry, or a membership change when `change` is set.
  struct QueuedProposal {
    EntryKind kind;
    std::string payload;
    std::optional<ConfChange> change;
    ProposalCallback done;
  };
  // Runs on the loop thread between Readys, with nullptr when the Node stopped first.
  using Task = std::function<void(Core* core)>;
  using Clock = std::chrono::steady_clock;

  Node(NodeOptions options, storage::LogStore* log, storage::HardStateStore* hard_state_store,
       StateMachine* state_machine, Transport* transport, NodeSnapshots snapshots);
  // A Core from what storage holds: the hard state, the configuration record the Node saved
  // (see "Membership") and the state machine's `applied`; the snapshot store (when given)
  // notes the configuration it resumes with.
  static Result<std::unique_ptr<Core>> BuildCore(const CoreOptions& options, const storage::LogStore& log,
                                                 const storage::HardStateStore& hard_state_store,
                                                 const storage::HardState& hard_state, Index applied,
                                                 SnapshotStore* snapshots);
  // Ready step 5's record, saved before the entries that changed the configuration apply.
  Status SaveConfRecord(const storage::ConfRecord& record);
  // Posts `task` to run on the loop thread; false when the Node has stopped.
  bool Post(Task task);
  // Propose and ProposeConfChange: refuses at once (not the leader, too many pending) or
  // reserves and queues `proposal` for the loop, which hands it to the Core and tracks it.
  void Enqueue(QueuedProposal proposal);
  // The same, answered through a future.
  std::future<ProposalOutcome> EnqueueForFuture(QueuedProposal proposal);

  // What the loop takes from other threads in one go.
  struct LoopInput {
    std::vector<Message> inbox;
    std::vector<QueuedProposal> proposals;
    std::vector<Task> tasks;
    std::vector<NodeId> disconnected;
  };

  // node.cc: the loop.
  void Run();
  // Waits for work or the next tick (or planned campaign); false once stopping.
  bool WaitForWork(LoopInput* input);
  void ProposeQueued(std::vector<QueuedProposal>* proposals);
  // Steps the inbox; vote requests after the disconnects that came with them (node_failover.cc).
  void StepInbox(std::vector<Message>* inbox, std::vector<NodeId>* disconnected);
  void TickIfDue();
  void PublishGauges();
  // Handles every Ready the Core has; the first storage error stops it.
  Status HandleReadys();
  void FailEverything(const Status& status);

  // node_failover.cc: campaigning early when the leader's stream ends.
  void HandleDisconnects(std::vector<NodeId>* peers);
  void NoteHeardFrom(NodeId from);
  void MaybeCampaign();
  static bool IsVoteRequest(const Message& message);

  // node_storage_fault.cc: stepping aside while storage fails, rejoining when it works.
  // Drops the Core and publishes a follower soft state; returns the error again when it is
  // fatal (the loop ends), OK when the Node will retry.
  Status StepAside(const Status& fault);
  // While set aside: learns the leader from its messages, refuses the rest, retries when due.
  // Returns a fatal error, else OK.
  Status WhileAside(LoopInput* input);
  Status TryRejoin();
  // Reads the next committed entry to apply: its error when the log cannot give it.
  Status ReadNextToApply() const;
  bool IsFatal(const Status& status) const;
  // What CurrentStatus reports without a Core: set aside (a follower), or Aborted once stopped.
  Result<NodeStatus> StatusWithoutCore() const;

  // node_read.cc: reads waiting for their round or for apply.
  void StartRead(ReadCallback done);
  void ConfirmedReads(const std::vector<ReadState>& reads);
  void ReleaseAppliedReads();
  void FailReads(const Status& status);

  // node_ready.cc: one Ready.
  Status HandleReady(Ready ready);
  void ObserveSoftState(const SoftState& soft);
  // Tells NodeOptions::on_configuration_change when the Core's configuration changed, or
  // (`always`, at start) whatever it is: a joining node's is empty until it learns its group.
  void PublishConfiguration(bool always = false);
  void ReportMajorityLoss(const MajorityLossNotice& notice);
  Status Persist(Ready& ready);
  Status MaybeSaveHardState(const std::optional<storage::HardState>& hard_state);
  Status Apply(std::vector<storage::LogEntry>& entries);
  void SendMessages(std::vector<Message>& messages);

  // node_snapshot.cc.
  // A kSnapshot from the Core: its files go first, the message once they arrived.
  void ShipSnapshot(const Message& message);
  // On the loop, once the shipper is done with `message`'s files.
  void SnapshotShipped(Core* core, const Message& message, const Status& shipped);
  // False for a kSnapshot whose files this node does not hold: it must not reach the Core.
  bool MayStep(const Message& message);
  Status InstallSnapshot(const storage::SnapshotMeta& snapshot);
  // Adds what the Core counted since the last call to the metrics.
  void PublishSnapshotsUnavailable();
  const NodeId id_;
  const NodeOptions options_;
  storage::LogStore* const log_;
  storage::HardStateStore* const hard_state_store_;
  StateMachine* const state_machine_;
  Transport* const transport_;
  const NodeSnapshots snapshots_;
  NodeMetrics metrics_;
  std::atomic<NodeId> leader_hint_{kNoNode};

  // Loop thread only.
  std::unique_ptr<Core> core_;  // null while set aside by a storage fault, or once stopped
  ProposalTracker proposals_;
  SoftState soft_state_;
  ConfState published_configuration_;  // what on_configuration_change last heard
  storage::HardState saved_hard_state_;
  Clock::time_point next_tick_;
  Clock::time_point commit_saved_at_;
  Index state_machine_applied_;  // what the state machine reported, then what we applied
  uint32_t ticks_since_leader_ = 0;    // ticks since a message from the known leader
  NodeId suspected_leader_ = kNoNode;  // a leader whose stream ended; kNoNode: none
  Clock::time_point campaign_at_;      // when to campaign if suspected_leader_ stays silent
  uint32_t campaign_retries_left_ = 0;  // early campaign repeats left while nobody leads
  Clock::time_point campaign_retry_at_;
  Term campaign_term_;  // the term the early campaign started from
  bool loop_ended_ = false;            // FailEverything ran
  // Set aside: when to retry, the current backoff, when the last rejoin happened, and how
  // many Cores were built (each gets its own random seed).
  Clock::time_point rejoin_at_;
  uint32_t rejoin_interval_ms_ = 0;
  Clock::time_point rejoined_at_;
  uint64_t cores_built_ = 1;
  uint64_t snapshots_unavailable_seen_ = 0;  // the current Core's count, already in metrics_
  // Reads: waiting for their heartbeat round (by request id), then for apply (by index).
  uint64_t next_read_request_ = 1;
  std::map<uint64_t, ReadCallback> reads_unconfirmed_;
  std::multimap<Index, ReadCallback> reads_unapplied_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Message> inbox_;               // guarded; size <= inbox_messages_max
  std::vector<QueuedProposal> queued_;       // guarded
  std::vector<Task> tasks_;                  // guarded
  std::vector<NodeId> disconnected_;         // guarded; size <= inbox_messages_max
  bool stopping_ = false;                    // guarded
  bool stopped_ = false;                     // guarded: the loop has exited
  Status failure_;                           // guarded
  Status storage_fault_;                     // guarded
  ConfState configuration_;                  // guarded: published_configuration_, for Configuration()
  std::thread thread_;
};

}  // namespace raftmq::raft
