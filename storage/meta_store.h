// MetaStore: a node's small, mutable metadata in RocksDB, one column family per kind:
//   raft              the Raft HardState and ConfRecord (this class is the node's HardStateStore)
//   consumer_offsets  (group, topic, queue id) -> committed consume offset
//   topics            topic name -> opaque topic config bytes (the broker owns the format)
//   pop_states        (group, topic, queue id) -> opaque pop state bytes (the broker owns the
//                     format: the pop offset and the messages in flight)
//   checkpoints       the Dispatcher's applied index with every ConsumeQueue's size at it
//                     (one batch), the index of the last applied broker command, and the
//                     index retention keeps the log from, and the index of a snapshot being
//                     restored
// Key and value encodings are in meta_codec.h.
//
// Durability: SaveHardState syncs the WAL before it returns. Every other write is buffered
// (Durability::kBuffered, the default) unless the caller asks for kSync: RocksDB recovers
// buffered writes after an OS crash as an in-order prefix, so a later write that survived
// implies every earlier one did. The Dispatcher relies on this: a checkpoint that survived
// means the consumer offsets applied before it did too.
//
// A full disk (or another write fault): the failed write answers NoSpace (IoError), changes
// nothing, and the store reopens its database before the next write, so once space returns
// writes succeed again without a restart. Reopening rather than DB::Resume(): RocksDB 7.8
// (Debian 12) writes the retry through the WAL writer that failed and aborts the process
// (facebook/rocksdb#12448, fixed in 9.x); a reopen starts a new WAL. While the disk stays full
// the reopen fails and the database is opened read-only instead: reads go on.
//
// Threading: every method may be called from any thread (RocksDB serialises writers; a reopen
// waits for the calls in progress and holds the others back).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/hard_state.h"
#include "storage/meta_codec.h"

namespace rocksdb {
class Cache;
class ColumnFamilyHandle;
class DB;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace raftmq::storage {

// Small on purpose: a broker runs several column families on a small box.
struct MetaStoreOptions {
  size_t block_cache_bytes = 8u << 20;    // one LRU cache shared by every column family
  size_t write_buffer_bytes = 4u << 20;   // memtable size per column family
  int write_buffers_max = 2;              // memtables per column family
  int open_files_max = 256;               // table files RocksDB keeps open
  int background_jobs_max = 2;            // flush + compaction threads
};

enum class Durability { kBuffered, kSync };

struct ConsumerOffset {
  std::string topic;
  uint32_t queue_id = 0;
  uint64_t offset = 0;

  bool operator==(const ConsumerOffset&) const = default;
};

// A ConsumeQueue's size (its MaxOffset) as of the dispatch checkpoint written with it.
struct QueueSize {
  std::string topic;
  uint32_t queue_id = 0;
  uint64_t max_offset = 0;

  bool operator==(const QueueSize&) const = default;
};

class MetaStore;

// Several MetaStore writes applied atomically by MetaStore::Write. Built by MetaStore::NewBatch.
class MetaWriteBatch {
 public:
  MetaWriteBatch(MetaWriteBatch&&) noexcept;
  MetaWriteBatch& operator=(MetaWriteBatch&&) noexcept;
  ~MetaWriteBatch();

  Status PutConsumerOffset(const ConsumerOffsetKey& key, uint64_t offset);
  Status DeleteConsumerOffset(const ConsumerOffsetKey& key);
  Status PutPopState(const ConsumerOffsetKey& key, std::string_view state);
  Status PutTopic(std::string_view topic, std::string_view config);
  Status DeleteTopic(std::string_view topic);
  Status PutDispatchCheckpoint(Index applied);
  Status PutQueueSize(const QueueSize& size);
  // Put in the same batch as a command's effect, so a restart knows whether it applied.
  Status PutCommandApplied(Index index);
  // Retention: the log holds no entry this node needs below `index`.
  Status PutRetainedFrom(Index index);
  // A snapshot restore in progress (BrokerStateMachine): put with the restored state, deleted
  // once the ConsumeQueues match it.
  Status PutRestoring(Index snapshot_index);
  Status DeleteRestoring();
  size_t Count() const;

 private:
  friend class MetaStore;
  explicit MetaWriteBatch(const MetaStore* store);
  // Add a put (a delete) of `family` (a MetaStore::Family) to the batch; the family's handle
  // is read under the store's lock, since a reopen replaces the handles.
  Status PutIn(size_t family, std::string_view key, std::string_view value);
  Status DeleteIn(size_t family, std::string_view key);

  const MetaStore* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

class MetaStore final : public HardStateStore {
 public:
  // Opens (creating when missing) the store in directory `dir`.
  static Result<std::unique_ptr<MetaStore>> Open(const std::string& dir, const MetaStoreOptions& options = {});
  ~MetaStore() override;
  MetaStore(const MetaStore&) = delete;
  MetaStore& operator=(const MetaStore&) = delete;

  Result<HardState> LoadHardState() const override;
  Status SaveHardState(const HardState& state) override;
  Result<std::optional<ConfRecord>> LoadConfRecord() const override;
  Status SaveConfRecord(const ConfRecord& record) override;

  // NotFound when the group never committed an offset for the queue.
  Result<uint64_t> LoadConsumerOffset(const ConsumerOffsetKey& key) const;
  Status SaveConsumerOffset(const ConsumerOffsetKey& key, uint64_t offset,
                            Durability durability = Durability::kBuffered);
  // Every offset of `group`, ordered by topic, then queue id.
  Result<std::vector<ConsumerOffset>> ListConsumerOffsets(std::string_view group) const;

  // NotFound when the group never popped the queue.
  Result<std::string> LoadPopState(const ConsumerOffsetKey& key) const;

  // NotFound for an unknown topic.
  Result<std::string> LoadTopic(std::string_view topic) const;
  // (name, config) of every topic, ordered by name.
  Result<std::vector<std::pair<std::string, std::string>>> ListTopics() const;

  // Index(0) when no checkpoint was ever written.
  Result<Index> LoadDispatchCheckpoint() const;
  // The queue sizes written with the dispatch checkpoints, ordered by topic, then queue id.
  Result<std::vector<QueueSize>> ListQueueSizes() const;
  // The index of the last command whose effect is stored; nullopt when none was recorded
  // (a store written before commands carried their index).
  Result<std::optional<Index>> LoadCommandApplied() const;
  // Index(0) when retention never ran.
  Result<Index> LoadRetainedFrom() const;

  // The index of the snapshot whose restore a crash interrupted; nullopt when none.
  Result<std::optional<Index>> LoadRestoring() const;
  // Every consumer offset of every group, ordered by group, topic, queue id.
  Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> ListAllConsumerOffsets() const;
  // Every pop state of every group, ordered by group, topic, queue id.
  Result<std::vector<std::pair<ConsumerOffsetKey, std::string>>> ListAllPopStates() const;

  MetaWriteBatch NewBatch() const;
  // A batch that starts by deleting every row of the broker's families (consumer_offsets,
  // topics, checkpoints, pop_states; not raft), so the puts added after it are the whole broker state
  // once it is written: a snapshot restore replaces the state in one atomic write.
  Result<MetaWriteBatch> NewBatchReplacingBrokerState() const;
  Status Write(MetaWriteBatch batch, Durability durability = Durability::kBuffered);

 private:
  friend class MetaWriteBatch;
  enum Family : size_t { kRaft = 0, kConsumerOffsets, kTopics, kCheckpoints, kPopStates, kFamilyCount };

  MetaStore(std::string dir, const MetaStoreOptions& options);

  // Opens db_ read-write or, when that fails, read-only (returning the read-write error);
  // db_mu_ held exclusively, db_ closed.
  Status OpenLocked();
  void CloseLocked();
  // IoError while the database is closed (a reopen found neither mode possible); db_mu_ held.
  Status CheckOpenLocked() const;
  // Runs `write`; after a failure reopens the database (see the header comment) and runs it
  // once more, so a retry goes through a new WAL. Returns the last run's outcome, or the
  // reopen's error.
  Status WriteReopening(const std::function<rocksdb::Status(rocksdb::DB&)>& write);
  Result<std::string> Get(Family family, std::string_view key) const;
  Result<std::optional<uint64_t>> GetUint64(Family family, std::string_view key) const;
  Result<std::optional<Index>> GetIndex(std::string_view checkpoints_key) const;
  // Called with each row's key and value; the views die with the call. An error stops the scan.
  using RowVisitor = std::function<Status(std::string_view key, std::string_view value)>;
  // Visits the rows of `family` whose key starts with `prefix` ("" for all), in key order, under
  // db_mu_ held shared (so `visit` must not call back into the store); returns the first error
  // `visit` or the iterator gives.
  Status ForEachRow(Family family, std::string_view prefix, const RowVisitor& visit) const;
  // The rows of `family` whose consumer-offset-shaped key starts with `prefix` (a group's:
  // ConsumerOffsetGroupPrefix; "" for all).
  Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> ListUnder(Family family, std::string_view prefix) const;
  // Every key of `family`, in order.
  Result<std::vector<std::string>> ListKeys(Family family) const;
  rocksdb::ColumnFamilyHandle* Handle(Family family) const { return handles_[family]; }

  const std::string dir_;
  const MetaStoreOptions options_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  // Shared by every call that uses db_ or the handles, exclusive for a reopen.
  mutable std::shared_mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_;  // null only while a reopen found neither mode possible
  bool writable_ = false;            // false: opened read-only after a failed reopen
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;  // unused, but owned like the others
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;      // by Family; destroyed before db_
};

}  // namespace raftmq::storage
