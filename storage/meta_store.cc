#include "storage/meta_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <mutex>

#include "common/assert.h"
#include "storage/rocksdb_log.h"

namespace raftmq::storage {

namespace {

// The order matches MetaStore::Family; "default" is RocksDB's own and stays unused.
constexpr const char* kFamilyNames[] = {"raft", "consumer_offsets", "topics", "checkpoints", "pop_states"};

Status FromRocks(const rocksdb::Status& status) {
  using Code = rocksdb::Status::Code;
  const std::string message = status.ToString();
  switch (status.code()) {
    case Code::kOk: return Status::Ok();
    case Code::kNotFound: return Status::NotFound(message);
    case Code::kCorruption: return Status::Corruption(message);
    case Code::kInvalidArgument: return Status::InvalidArgument(message);
    case Code::kNotSupported: return Status::NotSupported(message);
    case Code::kIOError:
      return status.IsNoSpace() ? Status::NoSpace(message) : Status::IoError(message);
    case Code::kBusy:
    case Code::kTimedOut:
    case Code::kTryAgain:
    case Code::kIncomplete: return Status::Unavailable(message);
    case Code::kAborted:
    case Code::kShutdownInProgress: return Status::Aborted(message);
    default: return Status::IoError(message);
  }
}

rocksdb::Slice ToSlice(std::string_view bytes) { return rocksdb::Slice(bytes.data(), bytes.size()); }

rocksdb::WriteOptions WriteOptionsFor(Durability durability) {
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kSync;
  return options;
}

rocksdb::ColumnFamilyOptions FamilyOptions(const MetaStoreOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  rocksdb::ColumnFamilyOptions family;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.write_buffer_size = options.write_buffer_bytes;
  family.max_write_buffer_number = options.write_buffers_max;
  return family;
}

rocksdb::DBOptions DatabaseOptions(const MetaStoreOptions& options, const std::string& dir) {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.max_open_files = options.open_files_max;
  db.max_background_jobs = options.background_jobs_max;
  db.info_log = NewRocksDbLog("meta store " + dir);
  return db;
}

}  // namespace

Result<std::unique_ptr<MetaStore>> MetaStore::Open(const std::string& dir, const MetaStoreOptions& options) {
  // RocksDB lists the directory before it creates it (DumpDBFileSummary, in DBImpl's
  // constructor) and logs the NotFound of a new store at error level: creating the directory
  // first keeps an error line meaning an error. One level, as RocksDB itself creates it.
  RMQ_RETURN_IF_ERROR(
      FromRocks(rocksdb::Env::Default()->CreateDirIfMissing(dir)).WithContext("create meta store " + dir));
  std::unique_ptr<MetaStore> store(new MetaStore(dir, options));
  std::unique_lock lock(store->db_mu_);
  RMQ_RETURN_IF_ERROR(store->OpenLocked().WithContext("open meta store " + dir));
  return store;
}

MetaStore::MetaStore(std::string dir, const MetaStoreOptions& options)
    : dir_(std::move(dir)), options_(options), block_cache_(rocksdb::NewLRUCache(options.block_cache_bytes)) {}

Status MetaStore::OpenLocked() {
  RMQ_ASSERT(db_ == nullptr);
  RMQ_ASSERT(handles_.empty());
  const rocksdb::ColumnFamilyOptions family = FamilyOptions(options_, block_cache_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {{rocksdb::kDefaultColumnFamilyName, family}};
  for (const char* name : kFamilyNames) descriptors.emplace_back(name, family);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::DBOptions db_options = DatabaseOptions(options_, dir_);
  const rocksdb::Status status = rocksdb::DB::Open(db_options, dir_, descriptors, &handles, &db);
  writable_ = status.ok();
  if (!status.ok()) {
    // A read-only open writes nothing, so reads go on while the disk is full.
    const rocksdb::Status read_only = rocksdb::DB::OpenForReadOnly(db_options, dir_, descriptors, &handles, &db);
    if (!read_only.ok()) return FromRocks(status);
  }
  db_.reset(db);
  RMQ_ASSERT(handles.size() == kFamilyCount + 1);
  // Every handle Open returns, the default family's too, must be destroyed before the DB.
  default_handle_ = handles.front();
  handles_.assign(handles.begin() + 1, handles.end());
  return FromRocks(status);
}

void MetaStore::CloseLocked() {
  if (db_ == nullptr) return;  // the last reopen found neither mode possible
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    const rocksdb::Status status = db_->DestroyColumnFamilyHandle(handle);
    RMQ_ASSERT(status.ok());
  }
  handles_.clear();
  const rocksdb::Status status = db_->DestroyColumnFamilyHandle(default_handle_);
  RMQ_ASSERT(status.ok());
  default_handle_ = nullptr;
  (void)db_->Close();  // an error here leaves only the WAL to replay
  db_.reset();
}

MetaStore::~MetaStore() {
  std::unique_lock lock(db_mu_);
  CloseLocked();
}

Status MetaStore::CheckOpenLocked() const {
  if (db_ != nullptr) return Status::Ok();
  return Status::IoError("meta store " + dir_ +
                         " is closed: reopening it after a failed write failed (tried again at the next write)");
}

Status MetaStore::WriteReopening(const std::function<rocksdb::Status(rocksdb::DB&)>& write) {
  {
    std::shared_lock lock(db_mu_);
    if (db_ != nullptr && writable_) {
      const rocksdb::Status status = write(*db_);
      if (status.ok()) return Status::Ok();
      if (!status.IsIOError()) return FromRocks(status);  // not a storage fault: nothing to reopen for
    }
  }
  std::unique_lock lock(db_mu_);
  CloseLocked();
  RMQ_RETURN_IF_ERROR(OpenLocked());
  return FromRocks(write(*db_));
}

Result<std::string> MetaStore::Get(Family family, std::string_view key) const {
  std::string value;
  std::shared_lock lock(db_mu_);
  RMQ_RETURN_IF_ERROR(CheckOpenLocked());
  const rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), Handle(family), ToSlice(key), &value);
  if (!status.ok()) return FromRocks(status);
  return value;
}

Result<HardState> MetaStore::LoadHardState() const {
  Result<std::string> bytes = Get(kRaft, kHardStateKey);
  if (bytes.status().IsNotFound()) return HardState{};
  if (!bytes.ok()) return bytes.status();
  return DecodeHardState(*bytes);
}

Status MetaStore::SaveHardState(const HardState& state) {
  const std::string value = EncodeHardState(state);
  return WriteReopening([&](rocksdb::DB& db) {
    return db.Put(WriteOptionsFor(Durability::kSync), Handle(kRaft), ToSlice(kHardStateKey), value);
  });
}

Result<std::optional<ConfRecord>> MetaStore::LoadConfRecord() const {
  Result<std::string> bytes = Get(kRaft, kConfRecordKey);
  if (bytes.status().IsNotFound()) return std::optional<ConfRecord>();
  if (!bytes.ok()) return bytes.status();
  RMQ_ASSIGN_OR_RETURN(ConfRecord record, DecodeConfRecord(*bytes));
  return std::optional<ConfRecord>(std::move(record));
}

Status MetaStore::SaveConfRecord(const ConfRecord& record) {
  const std::string value = EncodeConfRecord(record);
  return WriteReopening([&](rocksdb::DB& db) {
    return db.Put(WriteOptionsFor(Durability::kSync), Handle(kRaft), ToSlice(kConfRecordKey), value);
  });
}

Result<std::string> MetaStore::LoadPopState(const ConsumerOffsetKey& key) const {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  return Get(kPopStates, EncodeConsumerOffsetKey(key));
}

Result<uint64_t> MetaStore::LoadConsumerOffset(const ConsumerOffsetKey& key) const {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  RMQ_ASSIGN_OR_RETURN(std::string bytes, Get(kConsumerOffsets, EncodeConsumerOffsetKey(key)));
  return DecodeUint64(bytes);
}

Status MetaStore::SaveConsumerOffset(const ConsumerOffsetKey& key, uint64_t offset, Durability durability) {
  MetaWriteBatch batch = NewBatch();
  RMQ_RETURN_IF_ERROR(batch.PutConsumerOffset(key, offset));
  return Write(std::move(batch), durability);
}

Status MetaStore::ForEachRow(Family family, std::string_view prefix, const RowVisitor& visit) const {
  std::shared_lock lock(db_mu_);
  RMQ_RETURN_IF_ERROR(CheckOpenLocked());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(family)));
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
    RMQ_RETURN_IF_ERROR(visit(it->key().ToStringView(), it->value().ToStringView()));
  }
  return FromRocks(it->status());
}

Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> MetaStore::ListUnder(Family family,
                                                                               std::string_view prefix) const {
  std::vector<std::pair<ConsumerOffsetKey, uint64_t>> rows;
  RMQ_RETURN_IF_ERROR(ForEachRow(family, prefix, [&](std::string_view key, std::string_view value) -> Status {
    RMQ_ASSIGN_OR_RETURN(ConsumerOffsetKey decoded_key, DecodeConsumerOffsetKey(key));
    RMQ_ASSIGN_OR_RETURN(uint64_t decoded_value, DecodeUint64(value));
    rows.emplace_back(std::move(decoded_key), decoded_value);
    return Status::Ok();
  }));
  return rows;
}

Result<std::vector<ConsumerOffset>> MetaStore::ListConsumerOffsets(std::string_view group) const {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", group));
  RMQ_ASSIGN_OR_RETURN(auto rows, ListUnder(kConsumerOffsets, ConsumerOffsetGroupPrefix(group)));
  std::vector<ConsumerOffset> offsets;
  for (auto& [key, offset] : rows) offsets.push_back(ConsumerOffset{std::move(key.topic), key.queue_id, offset});
  return offsets;
}

Result<std::string> MetaStore::LoadTopic(std::string_view topic) const {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", topic));
  return Get(kTopics, topic);
}

Result<std::vector<std::pair<std::string, std::string>>> MetaStore::ListTopics() const {
  std::vector<std::pair<std::string, std::string>> topics;
  RMQ_RETURN_IF_ERROR(ForEachRow(kTopics, "", [&](std::string_view name, std::string_view config) {
    topics.emplace_back(name, config);
    return Status::Ok();
  }));
  return topics;
}

Result<std::optional<uint64_t>> MetaStore::GetUint64(Family family, std::string_view key) const {
  Result<std::string> bytes = Get(family, key);
  if (bytes.status().IsNotFound()) return std::optional<uint64_t>();
  if (!bytes.ok()) return bytes.status();
  RMQ_ASSIGN_OR_RETURN(uint64_t value, DecodeUint64(*bytes));
  return std::optional<uint64_t>(value);
}

Result<Index> MetaStore::LoadDispatchCheckpoint() const {
  RMQ_ASSIGN_OR_RETURN(std::optional<uint64_t> applied, GetUint64(kCheckpoints, kDispatchCheckpointKey));
  return Index(applied.value_or(0));
}

Result<std::optional<Index>> MetaStore::GetIndex(std::string_view checkpoints_key) const {
  RMQ_ASSIGN_OR_RETURN(std::optional<uint64_t> index, GetUint64(kCheckpoints, checkpoints_key));
  if (!index) return std::optional<Index>();
  return std::optional<Index>(Index(*index));
}

Result<Index> MetaStore::LoadRetainedFrom() const {
  RMQ_ASSIGN_OR_RETURN(std::optional<uint64_t> index, GetUint64(kCheckpoints, kRetainedFromKey));
  return Index(index.value_or(0));
}

Result<std::optional<Index>> MetaStore::LoadCommandApplied() const { return GetIndex(kCommandAppliedKey); }

Result<std::optional<Index>> MetaStore::LoadRestoring() const { return GetIndex(kRestoringKey); }

Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> MetaStore::ListAllConsumerOffsets() const {
  return ListUnder(kConsumerOffsets, "");
}

Result<std::vector<std::pair<ConsumerOffsetKey, std::string>>> MetaStore::ListAllPopStates() const {
  std::vector<std::pair<ConsumerOffsetKey, std::string>> rows;
  RMQ_RETURN_IF_ERROR(ForEachRow(kPopStates, "", [&](std::string_view key, std::string_view state) -> Status {
    RMQ_ASSIGN_OR_RETURN(ConsumerOffsetKey decoded_key, DecodeConsumerOffsetKey(key));
    rows.emplace_back(std::move(decoded_key), state);
    return Status::Ok();
  }));
  return rows;
}

Result<std::vector<std::string>> MetaStore::ListKeys(Family family) const {
  std::vector<std::string> keys;
  RMQ_RETURN_IF_ERROR(ForEachRow(family, "", [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return Status::Ok();
  }));
  return keys;
}

// Row by row (the state is what a snapshot holds, so it fits in memory): a range delete
// would need an upper bound for keys of any length. The keys are listed first, then deleted
// through DeleteIn (which takes the store's lock itself).
Result<MetaWriteBatch> MetaStore::NewBatchReplacingBrokerState() const {
  MetaWriteBatch batch = NewBatch();
  for (Family family : {kConsumerOffsets, kTopics, kCheckpoints, kPopStates}) {
    RMQ_ASSIGN_OR_RETURN(std::vector<std::string> keys, ListKeys(family));
    for (const std::string& key : keys) RMQ_RETURN_IF_ERROR(batch.DeleteIn(family, key));
  }
  return batch;
}

Result<std::vector<QueueSize>> MetaStore::ListQueueSizes() const {
  RMQ_ASSIGN_OR_RETURN(auto rows, ListUnder(kCheckpoints, ConsumerOffsetGroupPrefix(kQueueSizeKeyGroup)));
  std::vector<QueueSize> sizes;
  for (auto& [key, max_offset] : rows) sizes.push_back(QueueSize{std::move(key.topic), key.queue_id, max_offset});
  return sizes;
}

MetaWriteBatch MetaStore::NewBatch() const { return MetaWriteBatch(this); }

Status MetaStore::Write(MetaWriteBatch batch, Durability durability) {
  RMQ_ASSERT(batch.store_ == this);
  return WriteReopening([&](rocksdb::DB& db) { return db.Write(WriteOptionsFor(durability), batch.batch_.get()); });
}

MetaWriteBatch::MetaWriteBatch(const MetaStore* store)
    : store_(store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
MetaWriteBatch::MetaWriteBatch(MetaWriteBatch&&) noexcept = default;
MetaWriteBatch& MetaWriteBatch::operator=(MetaWriteBatch&&) noexcept = default;
MetaWriteBatch::~MetaWriteBatch() = default;

Status MetaWriteBatch::PutConsumerOffset(const ConsumerOffsetKey& key, uint64_t offset) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  return PutIn(MetaStore::kConsumerOffsets, EncodeConsumerOffsetKey(key), EncodeUint64(offset));
}

Status MetaWriteBatch::DeleteConsumerOffset(const ConsumerOffsetKey& key) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  return DeleteIn(MetaStore::kConsumerOffsets, EncodeConsumerOffsetKey(key));
}

Status MetaWriteBatch::PutPopState(const ConsumerOffsetKey& key, std::string_view state) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  return PutIn(MetaStore::kPopStates, EncodeConsumerOffsetKey(key), state);
}

Status MetaWriteBatch::PutTopic(std::string_view topic, std::string_view config) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", topic));
  return PutIn(MetaStore::kTopics, topic, config);
}

Status MetaWriteBatch::DeleteTopic(std::string_view topic) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", topic));
  return DeleteIn(MetaStore::kTopics, topic);
}

Status MetaWriteBatch::PutDispatchCheckpoint(Index applied) {
  return PutIn(MetaStore::kCheckpoints, kDispatchCheckpointKey, EncodeUint64(applied.value()));
}

Status MetaWriteBatch::PutQueueSize(const QueueSize& size) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", size.topic));
  const ConsumerOffsetKey key{std::string(kQueueSizeKeyGroup), size.topic, size.queue_id};
  return PutIn(MetaStore::kCheckpoints, EncodeConsumerOffsetKey(key), EncodeUint64(size.max_offset));
}

Status MetaWriteBatch::PutCommandApplied(Index index) {
  return PutIn(MetaStore::kCheckpoints, kCommandAppliedKey, EncodeUint64(index.value()));
}

Status MetaWriteBatch::PutIn(size_t family, std::string_view key, std::string_view value) {
  std::shared_lock lock(store_->db_mu_);
  RMQ_RETURN_IF_ERROR(store_->CheckOpenLocked());
  return FromRocks(batch_->Put(store_->Handle(static_cast<MetaStore::Family>(family)), ToSlice(key), ToSlice(value)));
}

Status MetaWriteBatch::DeleteIn(size_t family, std::string_view key) {
  std::shared_lock lock(store_->db_mu_);
  RMQ_RETURN_IF_ERROR(store_->CheckOpenLocked());
  return FromRocks(batch_->Delete(store_->Handle(static_cast<MetaStore::Family>(family)), ToSlice(key)));
}

Status MetaWriteBatch::PutRetainedFrom(Index index) {
  return PutIn(MetaStore::kCheckpoints, kRetainedFromKey, EncodeUint64(index.value()));
}

Status MetaWriteBatch::PutRestoring(Index snapshot_index) {
  return PutIn(MetaStore::kCheckpoints, kRestoringKey, EncodeUint64(snapshot_index.value()));
}

Status MetaWriteBatch::DeleteRestoring() { return DeleteIn(MetaStore::kCheckpoints, kRestoringKey); }

size_t MetaWriteBatch::Count() const { return static_cast<size_t>(batch_->Count()); }

}  // namespace raftmq::storage
