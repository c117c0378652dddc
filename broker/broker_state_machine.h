// BrokerStateMachine: what a broker node does with each committed Raft entry, in log order,
// identically on every node of the group:
//   kMessageBatchEntry   the Dispatcher indexes its messages in ConsumeQueues; the proposer
//                        gets each message's queue offset (assigned here, at apply time);
//   kBrokerCommandEntry  topic commands go to TopicConfigManager, offset commits to
//                        ConsumerOffsetManager, pop commands to PopStateManager (MetaStore
//                        writes, buffered); DeleteLogBefore deletes the log's old segments
//                        and the queue entries into them;
//   any other kind       nothing (Raft's no-op advances the applied index: a new leader serves
//                        once its own no-op is applied, see applied_term()).
// Apply reads nothing but the entry and the state built by earlier entries (no clock, no
// local configuration), so replaying a log gives the same state on every node.
//
// Restart: the Dispatcher's checkpoint is the applied index. A command's MetaStore writes go
// in before the Dispatcher may write a checkpoint past it, and RocksDB keeps buffered writes
// as an in-order prefix, so a surviving checkpoint implies the commands before it survived.
// Commands apply exactly once per node: each command's effect is written in one batch with
// its index (refused commands write the index alone), so after a crash the stored index says
// which commands took effect. Recover replays only the commands after it (replaying a
// command whose effect is already in can diverge: an update refused as NOT_FOUND, then a
// create, would succeed on replay), while the Dispatcher re-indexes the messages; Apply skips
// a command at or below it (Raft re-sending entries a lost log tail took).
//
// Retention (DeleteLogBefore{index}, proposed by the leader's RetentionScheduler): the index
// is clamped to this command's own index (everything before it is applied here) and never
// moves back, so any value is handled identically on every node. The Dispatcher checkpoints
// first (a restart must not need the deleted entries), then `retained_from` goes into the
// command's batch, synced, and only then does it delete: first every queue's min offset rises
// to its first message of entry `retained_from` or later (identical on every node, whatever
// its segment boundaries, and before any segment goes, so a pull racing the deletion answers
// OUT_OF_RANGE), with the ConsumeQueue files wholly below; then the segments and entry index
// files wholly below `retained_from`. Recover finishes a deletion a crash interrupted, and
// raises the queues' min offsets again (ConsumeQueue keeps them in memory).
//
// Apply is total: its answer (AppliedEntry) carries a business outcome (topic exists, unknown
// topic) for the proposer, and an entry whose content cannot be applied (a command that does
// not parse or names an invalid topic config, a batch the Dispatcher cannot index) is
// skipped: decided from the entry alone, so identically on every node, logged once with its
// index, counted in entries_skipped(), answered INVALID_ARGUMENT, and the group goes on.
// Leaders check requests before proposing, so a skipped entry is a proposer's bug or a
// forged entry. Only an I/O failure is a Status from Apply (the node's disk is broken).
//
// Snapshots (broker_state_machine_snapshot.cc; format in proto/broker_snapshot.proto):
// SaveSnapshot writes what the entries up to applied_index() built (topics, every consumer
// offset, the delay scheduler's progress among them, every pop state, each ConsumeQueue's max
// offset). RestoreSnapshot, after the CommitLog was reset to the snapshot, checks every file
// first (refusing a damaged snapshot with the file named, changing nothing), then replaces the
// MetaStore state in one synced batch that also records "restoring" and sets retained_from to
// the snapshot index + 1 (the reset log starts there; retention never goes back), starts every
// ConsumeQueue over empty at the snapshot's max offset, deletes the marker, and recovers from
// there as at start-up (reloading the topic cache). A crash after the batch restarts the
// restore at the next Recover, from the MetaStore alone; a crash before it leaves a node
// whose state is older than its log's start: Recover refuses it, naming the recovery step.
//
// Every node takes a snapshot into its SnapshotStore (when it has one) as it applies a
// DeleteLogBefore, once it deleted: whichever node leads then holds a snapshot at the
// retained index - 1 (its log holds every entry after it), to catch up a follower that needs
// deleted entries. The snapshot stands at that index for the messages (each queue's max
// offset is its min offset now: the messages of the entries after it are what the queues
// still hold) and at the DeleteLogBefore itself
// for topics, offsets and pop states (commands_applied_index): a follower that installs it
// gets every retained entry after it from the leader's log, indexes their messages at the
// group's offsets and skips the commands already in. So a node caught up by snapshot holds
// the same messages as its leader, from the same min offsets. A failed save is logged and
// counted (snapshot_failures()) and the group goes on: that node's followers wait for a
// leader with a covering snapshot, or the next deletion. A crash between the log's reset to a
// received snapshot and its restore is finished by Recover from the store (the snapshot was
// adopted before the reset).
//
// Threading: Recover, Apply, SaveSnapshot and RestoreSnapshot on the node's apply thread;
// applied_index() and applied_term() from any thread.
#pragma once

#include <any>
#include <atomic>
#include <optional>
#include <string>

#include "broker/applied_entry.h"
#include "broker/consumer_offset_manager.h"
#include "broker/pop_state_manager.h"
#include "broker/topic_config_manager.h"
#include "common/log_ids.h"
#include "common/result.h"
#include "proto/broker_command.pb.h"
#include "raft/snapshot_store.h"
#include "raft/state_machine.h"
#include "storage/dispatcher.h"
#include "storage/fs.h"
#include "storage/log_retention.h"
#include "storage/log_store.h"
#include "storage/meta_store.h"

namespace raftmq::broker {

class BrokerStateMachine final : public raft::StateMachine {
 public:
  // `fs` writes and reads snapshot files. `retention` deletes the log's old segments; nullptr
  // for a log that keeps everything (the in-memory logs of tests): DeleteLogBefore then only
  // records its index.
  BrokerStateMachine(storage::Fs* fs, const storage::CommitLogReader* log, storage::LogRetention* retention,
                     storage::MetaStore* meta, storage::Dispatcher* dispatcher, TopicConfigManager* topics,
                     ConsumerOffsetManager* offsets);

  // Start-up, before the first Apply: loads topics, recovers the ConsumeQueues and replays
  // the commands of entries (checkpoint, min(committed, log end)]. applied_index() is where
  // Raft must resume handing out committed entries.
  Status Recover(Index committed);

  // Where snapshots are taken before retention deletes and found after an interrupted install;
  // null (the default): none is taken. Before Recover; `store` outlives this.
  void SetSnapshotStore(raft::SnapshotStore* store) { snapshots_ = store; }

  // raft::StateMachine: where Raft resumes (applied_index()).
  Index LastApplied() const override { return applied_index(); }
  // Applies entry applied_index() + 1; the value is an AppliedEntry for its proposer (see
  // FromApplyValue).
  Result<std::any> Apply(const storage::LogEntry& entry) override;
  // broker_state_machine_snapshot.cc.
  Result<Index> SaveSnapshot(const std::filesystem::path& dir) override;
  Status RestoreSnapshot(const std::filesystem::path& dir, const storage::SnapshotMeta& snapshot) override;

  Index applied_index() const { return Index(applied_index_.load(std::memory_order_acquire)); }
  // The term of the last applied entry: a leader of term T has applied everything committed
  // before its term once this reaches T (its own no-op is the first entry of T).
  Term applied_term() const { return Term(applied_term_.load(std::memory_order_acquire)); }

  // Entries skipped as unappliable since start-up (recovery included), commands and message
  // batches; from any thread.
  // The pop state (RocketMQ 5 simple consumers), for the services' reads.
  const PopStateManager& pops() const { return pops_; }

  uint64_t entries_skipped() const {
    return commands_skipped_.load(std::memory_order_relaxed) + dispatcher_->entries_skipped();
  }
  // What retention deleted since start-up (recovery included); from any thread.
  uint64_t retention_segments_deleted() const { return retention_segments_deleted_.load(std::memory_order_relaxed); }
  uint64_t retention_bytes_deleted() const { return retention_bytes_deleted_.load(std::memory_order_relaxed); }
  // Snapshots retention took, and failed to take, since start-up; from any thread.
  uint64_t snapshots_taken() const { return snapshots_taken_.load(std::memory_order_relaxed); }
  uint64_t snapshot_failures() const { return snapshot_failures_.load(std::memory_order_relaxed); }

 private:
  // The command's outcome; an error only for an I/O failure.
  Result<AppliedEntry> ApplyCommand(const storage::LogEntry& entry);
  Result<grpc::Status> ApplyPopCommand(const BrokerCommand& command, Index index, storage::MetaWriteBatch* batch);
  Result<AppliedEntry> ApplyMessages(const storage::LogEntry& entry);
  // DeleteLogBefore at index `at`: the index to retain from (clamped), with it put in `batch`;
  // nullopt when it moves nothing.
  Result<std::optional<Index>> PlanRetention(const DeleteLogBeforeCommand& command, Index at,
                                             storage::MetaWriteBatch* batch);
  // After the DeleteLogBefore at `at` deleted: a snapshot at the log's first index - 1.
  void SnapshotAfterRetention(Index at);
  // Writes a snapshot of the state to `dir` (broker_state_machine_snapshot.cc).
  Status WriteState(const std::string& dir, const storage::SnapshotMeta& at, Index commands_applied,
                    const std::vector<storage::QueueSize>& queues);
  // Recover's: the state stands below the log's start; restores the snapshot the log was
  // reset to, or says why it cannot.
  Status FinishInterruptedInstall(Index checkpoint);
  // Deletes what lies before `from` (idempotent): segments, entry index, queue entries.
  Status RetainFrom(Index from);
  void Publish(const storage::LogEntry& entry);
  // The restore's steps after the MetaStore batch (also Recover's, after a crash).
  Status FinishRestore(Index snapshot_index);

  storage::Fs* const fs_;
  const storage::CommitLogReader* const log_;
  storage::LogRetention* const retention_;
  storage::MetaStore* const meta_;
  storage::Dispatcher* const dispatcher_;
  TopicConfigManager* const topics_;
  ConsumerOffsetManager* const offsets_;
  const PopStateManager pops_;
  Index command_applied_;  // apply thread: the last command whose effect is stored
  Index retained_from_;    // apply thread: the stored retained_from
  std::atomic<uint64_t> applied_index_{0};
  std::atomic<uint64_t> applied_term_{0};
  std::atomic<uint64_t> commands_skipped_{0};
  std::atomic<uint64_t> retention_segments_deleted_{0};
  std::atomic<uint64_t> retention_bytes_deleted_{0};
  std::atomic<uint64_t> snapshots_taken_{0};
  std::atomic<uint64_t> snapshot_failures_{0};
  raft::SnapshotStore* snapshots_ = nullptr;
};

}  // namespace raftmq::broker
