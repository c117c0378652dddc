// OffsetStore: where a push consumer keeps each queue's offset, "the next offset to consume".
// Updates land in memory (from consume threads, often); Persist* writes them out (every
// persist_consumer_offset_interval_ms, on rebalance and on shutdown). Two kinds, as RocketMQ:
// RemoteOffsetStore (CLUSTERING: CommitOffset to the group's leader, replicated by Raft) and
// LocalFileOffsetStore (BROADCASTING: each consumer its own file).
//
// Thread-safety: every method of an implementation may be called from any thread.
#pragma once

#include <cstdint>

#include "client/message_queue.h"
#include "common/result.h"

namespace raftmq::client {

class OffsetStore {
 public:
  virtual ~OffsetStore() = default;
  // The stored offset; NotFound when this group never committed one for the queue.
  virtual Result<int64_t> Read(const MessageQueue& queue) = 0;
  // Remembers `offset` for the queue (in memory only).
  virtual void Update(const MessageQueue& queue, int64_t offset) = 0;
  // Writes out the queue's remembered offset, if any.
  virtual Status Persist(const MessageQueue& queue) = 0;
  virtual Status PersistAll() = 0;
  // Forgets the queue (it went to another consumer); nothing is written.
  virtual void Remove(const MessageQueue& queue) = 0;
};

}  // namespace raftmq::client
