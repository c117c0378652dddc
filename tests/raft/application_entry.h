// The entry kind raft tests propose: any kind Raft leaves to the application
// (raft/entry_kind.h); Raft stores and returns it unread.
#pragma once

#include "raft/entry_kind.h"

// In raftmq::raft itself, so both raft::test and raft::testing see it.
namespace raftmq::raft {

inline constexpr EntryKind kApplicationEntry{2};
static_assert(IsApplicationEntryKind(kApplicationEntry));

}  // namespace raftmq::raft
