// Helpers of the Dispatcher tests: batches to dispatch, and the check that the ConsumeQueues
// hold exactly the messages of a log prefix.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/assert.h"
#include "storage/consume_queue_store.h"
#include "storage/log_store.h"
#include "storage/message_record.h"
#include "storage/meta_store.h"
#include "tests/storage/entry_kinds.h"

namespace raftmq::storage::testing {

inline std::string Batch(const std::vector<std::pair<std::string, uint32_t>>& targets) {
  std::vector<Message> messages;
  for (const auto& [topic, queue_id] : targets) {
    Message message;
    message.topic = topic;
    message.queue_id = queue_id;
    message.tag = queue_id % 2 == 0 ? "even" : "";
    message.body = "body of " + topic + "/" + std::to_string(queue_id);
    messages.push_back(std::move(message));
  }
  Result<std::string> payload = EncodeMessageBatch(messages);
  RMQ_ASSERT(payload.ok());
  return std::move(payload).value();
}

// What the ConsumeQueues must hold once entries [1, last] are dispatched: every message of
// every batch, in index then payload order.
inline std::map<QueueId, std::vector<ConsumeQueueEntry>> Expected(const CommitLogReader& log, Index last) {
  std::map<QueueId, std::vector<ConsumeQueueEntry>> expected;
  for (Index index(1); index <= last; ++index) {
    const LogEntry entry = log.Entries(index, index + 1, 0).value().front();
    if (entry.kind != kMessageBatchKind) continue;
    const uint64_t payload_position = log.Locate(index)->payload_position;
    for (size_t offset = 0; offset < entry.payload.size();) {
      MessageRecordSummary record = *ScanMessageRecord(entry.payload, offset);
      expected[QueueId{std::string(record.topic), record.queue_id}].push_back(
          ConsumeQueueEntry{payload_position + offset, record.record_size, TagHash(record.tag)});
      offset += record.record_size;
    }
  }
  return expected;
}

// Every committed message in exactly one slot, in order, nothing extra; each slot leads to
// its message through the CommitLog (the Pull path).
inline void ExpectQueuesMatch(const ConsumeQueueStore& store, const CommitLogReader& log, Index last) {
  const auto expected = Expected(log, last);
  for (const auto& [id, queue] : store.Queues()) {
    const auto it = expected.find(id);
    const size_t expected_count = it == expected.end() ? 0 : it->second.size();
    ASSERT_EQ(queue->MinOffset(), 0u);
    ASSERT_EQ(queue->MaxOffset(), expected_count) << id.topic << "/" << id.queue_id;
    for (uint64_t offset = 0; offset < expected_count; ++offset) {
      Result<ConsumeQueueEntry> entry = queue->Get(offset);
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      ASSERT_EQ(*entry, it->second[offset]) << id.topic << "/" << id.queue_id << " offset " << offset;
      Result<Message> message = DecodeMessageRecord(*log.ReadAt(entry->commit_log_position, entry->size), 0);
      ASSERT_TRUE(message.ok());
      EXPECT_EQ(message->topic, id.topic);
      EXPECT_EQ(message->queue_id, id.queue_id);
    }
  }
  for (const auto& [id, entries] : expected) {
    EXPECT_NE(store.Find(id.topic, id.queue_id), nullptr) << id.topic << "/" << id.queue_id << " missing";
  }
}

// A fresh node's dispatch state in a MetaStore the rounds of a test share: checkpoint 0 and
// every recorded queue size 0, as one batch (the Dispatcher writes them together).
inline void ResetDispatchState(MetaStore* meta) {
  MetaWriteBatch reset = meta->NewBatch();
  ASSERT_TRUE(reset.PutDispatchCheckpoint(Index(0)).ok());
  const std::vector<QueueSize> sizes = *meta->ListQueueSizes();
  for (const QueueSize& size : sizes) ASSERT_TRUE(reset.PutQueueSize(QueueSize{size.topic, size.queue_id, 0}).ok());
  ASSERT_TRUE(meta->Write(std::move(reset)).ok());
}

}  // namespace raftmq::storage::testing
