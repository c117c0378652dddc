// ProposeMessages: one kMessageBatchEntry for `messages` (one topic and queue), answered
// with each message's queue offset once applied. Shared by sends, send-backs and the delay
// scheduler.
//
// Threading: from any thread; `done` runs on the thread that completes the proposal.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "broker/replicator.h"
#include "common/result.h"
#include "storage/message_record.h"

namespace raftmq::broker {

// The proposal's failure (see Replicator::Done), InvalidArgument when a message cannot be
// encoded or the entry was skipped at apply.
using ProposeMessagesDone = std::function<void(Result<std::vector<int64_t>> queue_offsets)>;

void ProposeMessages(Replicator* replicator, std::span<const storage::Message> messages, ProposeMessagesDone done);

}  // namespace raftmq::broker
