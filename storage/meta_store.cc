#include "storage/meta_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "common/assert.h"

namespace raftmq::storage {

namespace {

// The order matches MetaStore::Family; "default" is RocksDB's own and stays unused.
constexpr const char* kFamilyNames[] = {"raft", "consumer_offsets", "topics", "checkpoints"};

// RocksDB refuses every write after a background error (a full disk failed its WAL write)
// until DB::Resume(). A failed write is tried once more after a successful Resume, so a store
// whose disk has room again takes writes again (raft::Node retries after a storage fault)
// instead of refusing them until the process restarts. While the cause lasts Resume fails
// and the write's own error stands.
template <typename Write>
rocksdb::Status WriteResuming(rocksdb::DB* db, const Write& write) {
  rocksdb::Status status = write();
  if (!status.ok() && db->Resume().ok()) status = write();
  return status;
}

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

rocksdb::DBOptions DatabaseOptions(const MetaStoreOptions& options) {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.max_open_files = options.open_files_max;
  db.max_background_jobs = options.background_jobs_max;
  db.max_log_file_size = options.info_log_file_bytes_max;
  db.keep_log_file_num = options.info_log_files_kept;
  return db;
}

}  // namespace

Result<std::unique_ptr<MetaStore>> MetaStore::Open(const std::string& dir, const MetaStoreOptions& options) {
  std::unique_ptr<MetaStore> store(new MetaStore());
  store->block_cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  const rocksdb::ColumnFamilyOptions family = FamilyOptions(options, store->block_cache_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {{rocksdb::kDefaultColumnFamilyName, family}};
  for (const char* name : kFamilyNames) descriptors.emplace_back(name, family);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(DatabaseOptions(options), dir, descriptors, &handles, &db);
  if (!status.ok()) return FromRocks(status).WithContext("open meta store " + dir);
  store->db_.reset(db);
  RMQ_ASSERT(handles.size() == kFamilyCount + 1);
  // Every handle Open returns, the default family's too, must be destroyed before the DB.
  store->default_handle_ = handles.front();
  store->handles_.assign(handles.begin() + 1, handles.end());
  return store;
}

MetaStore::~MetaStore() {
  if (db_ == nullptr) return;  // Open failed before the DB existed
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    const rocksdb::Status status = db_->DestroyColumnFamilyHandle(handle);
    RMQ_ASSERT(status.ok());
  }
  handles_.clear();
  const rocksdb::Status status = db_->DestroyColumnFamilyHandle(default_handle_);
  RMQ_ASSERT(status.ok());
  (void)db_->Close();  // an error here leaves only the WAL to replay
}

Result<std::string> MetaStore::Get(Family family, std::string_view key) const {
  std::string value;
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
  return FromRocks(WriteResuming(db_.get(), [&] {
    return db_->Put(WriteOptionsFor(Durability::kSync), Handle(kRaft), ToSlice(kHardStateKey), value);
  }));
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

Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> MetaStore::ListUnder(Family family,
                                                                               std::string_view prefix) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(family)));
  std::vector<std::pair<ConsumerOffsetKey, uint64_t>> rows;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    RMQ_ASSIGN_OR_RETURN(ConsumerOffsetKey key, DecodeConsumerOffsetKey(it->key().ToStringView()));
    RMQ_ASSIGN_OR_RETURN(uint64_t value, DecodeUint64(it->value().ToStringView()));
    rows.emplace_back(std::move(key), value);
  }
  RMQ_RETURN_IF_ERROR(FromRocks(it->status()));
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
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(kTopics)));
  std::vector<std::pair<std::string, std::string>> topics;
  for (it->SeekToFirst(); it->Valid(); it->Next()) topics.emplace_back(it->key().ToString(), it->value().ToString());
  RMQ_RETURN_IF_ERROR(FromRocks(it->status()));
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

Result<std::optional<Index>> MetaStore::LoadCommandApplied() const { return GetIndex(kCommandAppliedKey); }

Result<std::optional<Index>> MetaStore::LoadRestoring() const { return GetIndex(kRestoringKey); }

Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> MetaStore::ListAllConsumerOffsets() const {
  return ListUnder(kConsumerOffsets, "");
}

// Row by row (the state is what a snapshot holds, so it fits in memory): a range delete
// would need an upper bound for keys of any length.
Result<MetaWriteBatch> MetaStore::NewBatchReplacingBrokerState() const {
  MetaWriteBatch batch = NewBatch();
  for (Family family : {kConsumerOffsets, kTopics, kCheckpoints}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      RMQ_RETURN_IF_ERROR(FromRocks(batch.batch_->Delete(Handle(family), it->key())));
    }
    RMQ_RETURN_IF_ERROR(FromRocks(it->status()));
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
  return FromRocks(WriteResuming(db_.get(), [&] { return db_->Write(WriteOptionsFor(durability), batch.batch_.get()); }));
}

MetaWriteBatch::MetaWriteBatch(const MetaStore* store)
    : store_(store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
MetaWriteBatch::MetaWriteBatch(MetaWriteBatch&&) noexcept = default;
MetaWriteBatch& MetaWriteBatch::operator=(MetaWriteBatch&&) noexcept = default;
MetaWriteBatch::~MetaWriteBatch() = default;

Status MetaWriteBatch::PutConsumerOffset(const ConsumerOffsetKey& key, uint64_t offset) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  return FromRocks(batch_->Put(store_->Handle(MetaStore::kConsumerOffsets), EncodeConsumerOffsetKey(key),
                               EncodeUint64(offset)));
}

Status MetaWriteBatch::DeleteConsumerOffset(const ConsumerOffsetKey& key) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("group", key.group));
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", key.topic));
  return FromRocks(batch_->Delete(store_->Handle(MetaStore::kConsumerOffsets), EncodeConsumerOffsetKey(key)));
}

Status MetaWriteBatch::PutTopic(std::string_view topic, std::string_view config) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", topic));
  return FromRocks(batch_->Put(store_->Handle(MetaStore::kTopics), ToSlice(topic), ToSlice(config)));
}

Status MetaWriteBatch::DeleteTopic(std::string_view topic) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", topic));
  return FromRocks(batch_->Delete(store_->Handle(MetaStore::kTopics), ToSlice(topic)));
}

Status MetaWriteBatch::PutDispatchCheckpoint(Index applied) {
  return FromRocks(batch_->Put(store_->Handle(MetaStore::kCheckpoints), ToSlice(kDispatchCheckpointKey),
                               EncodeUint64(applied.value())));
}

Status MetaWriteBatch::PutQueueSize(const QueueSize& size) {
  RMQ_RETURN_IF_ERROR(CheckMetaName("topic", size.topic));
  const ConsumerOffsetKey key{std::string(kQueueSizeKeyGroup), size.topic, size.queue_id};
  return FromRocks(batch_->Put(store_->Handle(MetaStore::kCheckpoints), EncodeConsumerOffsetKey(key),
                               EncodeUint64(size.max_offset)));
}

Status MetaWriteBatch::PutCommandApplied(Index index) {
  return FromRocks(batch_->Put(store_->Handle(MetaStore::kCheckpoints), ToSlice(kCommandAppliedKey),
                               EncodeUint64(index.value())));
}

Status MetaWriteBatch::PutRestoring(Index snapshot_index) {
  return FromRocks(batch_->Put(store_->Handle(MetaStore::kCheckpoints), ToSlice(kRestoringKey),
                               EncodeUint64(snapshot_index.value())));
}

Status MetaWriteBatch::DeleteRestoring() {
  return FromRocks(batch_->Delete(store_->Handle(MetaStore::kCheckpoints), ToSlice(kRestoringKey)));
}

size_t MetaWriteBatch::Count() const { return static_cast<size_t>(batch_->Count()); }

}  // namespace raftmq::storage
