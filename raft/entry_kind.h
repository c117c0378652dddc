// The entry kinds Raft writes and interprets itself (etcd's EntryConfChange); every other
// kind belongs to the application above (broker/entry_kind.h), which Core and Node carry
// through to the state machine without reading. Values are stored on disk: never reuse one.
//
//   1        kNoopEntry        a new leader's first entry of its term; carries nothing
//   4        kMembershipEntry  a configuration change, or a new group's entry 1: its whole
//                              configuration (a bootstrap, raft/configuration.h)
//   240-255  reserved for Raft's future kinds (joint configurations, ...)
//   0        no kind: never proposed
//   the rest the application's
//
// Threading: constants and pure functions.
#pragma once

#include <cstdint>

#include "storage/log_store.h"

namespace raftmq::raft {

using storage::EntryKind;

inline constexpr EntryKind kNoopEntry{1};
inline constexpr EntryKind kMembershipEntry{4};
inline constexpr uint8_t kRaftReservedKindMin = 240;

constexpr bool IsRaftEntryKind(EntryKind kind) {
  return kind == kNoopEntry || kind == kMembershipEntry || storage::KindByte(kind) >= kRaftReservedKindMin;
}

// What Node::Propose accepts from the application.
constexpr bool IsApplicationEntryKind(EntryKind kind) { return storage::KindByte(kind) != 0 && !IsRaftEntryKind(kind); }

}  // namespace raftmq::raft
