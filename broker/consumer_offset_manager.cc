#include "broker/consumer_offset_manager.h"

#include "broker/names.h"
#include "common/assert.h"

namespace raftmq::broker {

ConsumerOffsetManager::ConsumerOffsetManager(storage::MetaStore* store) : store_(store) {
  RMQ_ASSERT(store != nullptr);
}

grpc::Status ConsumerOffsetManager::CheckCommit(const OffsetCommit& commit) {
  grpc::Status status = CheckGroupName(commit.consumer_group());
  if (!status.ok()) return status;
  return CheckStorable(commit);
}

grpc::Status ConsumerOffsetManager::CheckStorable(const OffsetCommit& commit) {
  grpc::Status status = CheckName("consumer group", commit.consumer_group());
  if (!status.ok()) return status;
  status = CheckName("topic", commit.topic());
  if (!status.ok()) return status;
  if (commit.queue_id() < 0) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "queue id " + std::to_string(commit.queue_id()) + " is negative"};
  }
  if (commit.offset() < 0) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "offset " + std::to_string(commit.offset()) + " is negative"};
  }
  return grpc::Status::OK;
}

void ConsumerOffsetManager::Apply(const CommitOffsetsCommand& command, storage::MetaWriteBatch* batch) {
  RMQ_ASSERT(batch != nullptr);
  for (const OffsetCommit& commit : command.commits()) {
    if (!CheckStorable(commit).ok()) continue;
    storage::ConsumerOffsetKey key{commit.consumer_group(), commit.topic(), static_cast<uint32_t>(commit.queue_id())};
    // Names passed CheckStorable, so the MetaStore's own name check cannot fail.
    Status put = batch->PutConsumerOffset(key, static_cast<uint64_t>(commit.offset()));
    RMQ_ASSERT(put.ok());
  }
}

Result<std::optional<int64_t>> ConsumerOffsetManager::Query(const std::string& group, const std::string& topic,
                                                            int32_t queue_id) const {
  RMQ_ASSERT(queue_id >= 0);
  auto offset = store_->LoadConsumerOffset({group, topic, static_cast<uint32_t>(queue_id)});
  if (offset.ok()) return std::optional<int64_t>(static_cast<int64_t>(*offset));
  if (offset.status().IsNotFound()) return std::optional<int64_t>();
  return offset.status();
}

Result<std::vector<storage::ConsumerOffset>> ConsumerOffsetManager::List(const std::string& group) const {
  return store_->ListConsumerOffsets(group);
}

}  // namespace raftmq::broker
