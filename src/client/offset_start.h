// Where a push consumer starts on a queue: the group's stored offset, or for a group that
// never committed there, ConsumeFromWhere: the queue's first offset, its last (the next to
// be written: only new messages), or the first message stored at or after a timestamp, found
// by binary search over single-message pulls (no broker support needed). Retry topics
// (%RETRY%<group>) always start from their first offset.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <string>

#include "client/broker_client.h"
#include "client/client_options.h"
#include "client/message_queue.h"
#include "client/offset_store.h"
#include "common/result.h"

namespace raftmq::client {

Result<int64_t> ComputeStartOffset(BrokerClient& brokers, OffsetStore& store, const std::string& consumer_group,
                                   const MessageQueue& queue, ConsumeFromWhere from, int64_t timestamp_ms,
                                   int64_t rpc_timeout_ms);

// The lowest offset in [min, max] whose message was stored at or after `timestamp_ms` (max
// when none was).
Result<int64_t> SearchOffsetByTimestamp(BrokerClient& brokers, const std::string& consumer_group,
                                        const MessageQueue& queue, int64_t timestamp_ms, int64_t rpc_timeout_ms);

}  // namespace raftmq::client
