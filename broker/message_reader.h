// MessageReader: the read half of a Pull — ConsumeQueue entries from an offset, filtered by
// tag hash, then the messages they point at, read from the CommitLog (adjacent records of one
// batch in a single read) and decoded into MessageExt.
//
// Threading: Read from any thread (ConsumeQueue and CommitLogReader allow concurrent readers).
#pragma once

#include <cstdint>
#include <vector>

#include "broker/broker_options.h"
#include "broker/tag_filter.h"
#include "common/result.h"
#include "proto/messaging.pb.h"
#include "storage/consume_queue.h"
#include "storage/log_store.h"

namespace raftmq::broker {

struct PullBatch {
  std::vector<messaging::MessageExt> messages;
  // After the last entry looked at: where the next pull starts (past filtered-out entries).
  uint64_t next_offset = 0;
};

class MessageReader {
 public:
  MessageReader(const storage::CommitLogReader* log, const BrokerOptions* options);

  // Up to `messages_max` messages of `queue` at or after `offset` (within [min, max) of the
  // queue: the caller checked) that match `filter`, stopping before `bytes_max` record bytes
  // are passed (always at least one message when one matches) and after looking at
  // pull_filter_entries_max entries. Corruption when a record does not decode.
  Result<PullBatch> Read(const storage::ConsumeQueue& queue, int32_t queue_id, uint64_t offset, uint32_t messages_max,
                         uint64_t bytes_max, const TagFilter& filter) const;

 private:
  struct Wanted {
    uint64_t queue_offset;
    storage::ConsumeQueueEntry entry;
  };

  // Reads `wanted` (CommitLog order) with one read per run of adjacent records.
  Status Fetch(const std::vector<Wanted>& wanted, int32_t queue_id, const TagFilter& filter, PullBatch* batch) const;

  const storage::CommitLogReader* const log_;
  const BrokerOptions* const options_;
};

}  // namespace raftmq::broker
