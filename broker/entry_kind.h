// The broker's Raft entry kinds: what the payload of an entry it proposes holds. Raft carries
// them without reading them (raft/entry_kind.h lists the kinds Raft keeps for itself). Values
// are stored in every CommitLog record: never reuse one.
//
//   kMessageBatchEntry   one or more messages of one queue (storage/message_record.h); the
//                        Dispatcher indexes them in ConsumeQueues
//   kBrokerCommandEntry  a BrokerCommand (proto/broker_command.proto): shared broker state,
//                        topic configs, consumer offsets, ...
#pragma once

#include "raft/entry_kind.h"

namespace raftmq::broker {

inline constexpr storage::EntryKind kMessageBatchEntry{2};
inline constexpr storage::EntryKind kBrokerCommandEntry{3};

static_assert(raft::IsApplicationEntryKind(kMessageBatchEntry));
static_assert(raft::IsApplicationEntryKind(kBrokerCommandEntry));
static_assert(kMessageBatchEntry != kBrokerCommandEntry);

}  // namespace raftmq::broker
