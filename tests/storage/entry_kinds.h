// The entry kinds storage tests write. Storage keeps kinds opaque (storage/log_store.h); the
// tests use the broker's values (broker/entry_kind.h, raft/entry_kind.h) so what they write
// looks like a broker's log, without depending on the layers above storage.
#pragma once

#include "storage/log_store.h"

namespace raftmq::storage::testing {

inline constexpr EntryKind kNoopKind{1};
inline constexpr EntryKind kMessageBatchKind{2};  // what DispatcherOptions::message_batch_kind names
inline constexpr EntryKind kCommandKind{3};

}  // namespace raftmq::storage::testing
