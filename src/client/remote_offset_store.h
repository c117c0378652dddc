// RemoteOffsetStore: CLUSTERING offsets, committed to the queue's group leader (CommitOffset)
// and read back with QueryOffset, so a queue moving to another consumer continues there.
// Only offsets changed since the last persist are sent.
//
// Thread-safety: every method may be called from any thread (one mutex; RPCs run outside it).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "client/broker_client.h"
#include "client/offset_store.h"

namespace raftmq::client {

class RemoteOffsetStore final : public OffsetStore {
 public:
  // `brokers` must outlive the store.
  RemoteOffsetStore(BrokerClient* brokers, std::string consumer_group)
      : brokers_(brokers), consumer_group_(std::move(consumer_group)) {}

  Result<int64_t> Read(const MessageQueue& queue) override;
  void Update(const MessageQueue& queue, int64_t offset) override;
  Status Persist(const MessageQueue& queue) override;
  Status PersistAll() override;
  void Remove(const MessageQueue& queue) override;

 private:
  struct Entry {
    int64_t offset = 0;
    bool dirty = false;
  };
  Status Commit(const MessageQueue& queue, int64_t offset);

  BrokerClient* const brokers_;
  const std::string consumer_group_;
  std::mutex mutex_;
  std::map<MessageQueue, Entry> offsets_;  // guarded by mutex_
};

}  // namespace raftmq::client
