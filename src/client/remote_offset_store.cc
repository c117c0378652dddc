#include "client/remote_offset_store.h"

#include <vector>

#include "common/assert.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::client {

Result<int64_t> RemoteOffsetStore::Read(const MessageQueue& queue) {
  messaging::QueryOffsetRequest request;
  request.set_consumer_group(consumer_group_);
  request.set_topic(queue.topic);
  request.set_queue_id(queue.queue_id);
  RMQ_ASSIGN_OR_RETURN(messaging::QueryOffsetResponse response,
                       brokers_->CallLeader(queue.broker_group, "QueryOffset",
                                            &messaging::MessagingService::Stub::QueryOffset, request));
  return response.offset();
}

void RemoteOffsetStore::Update(const MessageQueue& queue, int64_t offset) {
  RMQ_ASSERT(offset >= 0);
  std::lock_guard lock(mutex_);
  auto [it, inserted] = offsets_.try_emplace(queue, Entry{offset, true});
  if (inserted || it->second.offset == offset) return;  // unchanged since the last persist stays clean
  it->second.offset = offset;
  it->second.dirty = true;
}

Status RemoteOffsetStore::Commit(const MessageQueue& queue, int64_t offset) {
  messaging::CommitOffsetRequest request;
  request.set_consumer_group(consumer_group_);
  request.set_topic(queue.topic);
  request.set_queue_id(queue.queue_id);
  request.set_offset(offset);
  auto response = brokers_->CallLeader(queue.broker_group, "CommitOffset",
                                       &messaging::MessagingService::Stub::CommitOffset, request);
  return response.ok() ? Status::Ok() : response.status();
}

Status RemoteOffsetStore::Persist(const MessageQueue& queue) {
  int64_t offset = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = offsets_.find(queue);
    if (it == offsets_.end() || !it->second.dirty) return Status::Ok();
    offset = it->second.offset;
    it->second.dirty = false;
  }
  Status status = Commit(queue, offset);
  if (!status.ok()) {
    std::lock_guard lock(mutex_);
    auto it = offsets_.find(queue);
    if (it != offsets_.end() && it->second.offset == offset) it->second.dirty = true;  // retry next time
  }
  return status;
}

Status RemoteOffsetStore::PersistAll() {
  std::vector<MessageQueue> queues;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [queue, entry] : offsets_) {
      if (entry.dirty) queues.push_back(queue);
    }
  }
  Status first_error;
  for (const MessageQueue& queue : queues) {
    Status status = Persist(queue);
    if (!status.ok() && first_error.ok()) first_error = status;
  }
  return first_error;
}

void RemoteOffsetStore::Remove(const MessageQueue& queue) {
  std::lock_guard lock(mutex_);
  offsets_.erase(queue);
}

}  // namespace raftmq::client
