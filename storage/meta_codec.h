// Keys and values of the MetaStore's column families (see meta_store.h for the families).
// Integers are little-endian except the queue id inside a consumer-offset key, which is
// big-endian so RocksDB's bytewise order lists a group's offsets by topic, then queue id.
//
//   raft              "hard_state"                      -> term u64 | voted_for u64 | commit u64
//                     "conf_state"                      -> version u8 (1) | index u64 | voter count u32 |
//                                                          voters u64... | learner count u32 | learners u64... |
//                                                          address count u32 | (id u64 | length u32 | bytes)...
//   consumer_offsets  group \0 topic \0 queue_id u32be  -> offset u64
//   topics            topic name                        -> opaque config bytes
//   checkpoints       "dispatch"                        -> applied index u64
//                     "commands"                        -> index of the last applied command u64
//                     "queues" \0 topic \0 queue_id u32be -> ConsumeQueue MaxOffset at "dispatch" u64
//                     "restoring"                       -> index of a snapshot whose restore has not
//                                                          finished yet u64 (absent otherwise)
//
// Group and topic names hold no NUL byte, so `group \0` is a prefix that only that group's
// keys start with. Decoders answer Corruption on malformed bytes.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "storage/hard_state.h"

namespace raftmq::storage {

inline constexpr std::string_view kHardStateKey = "hard_state";
inline constexpr std::string_view kConfRecordKey = "conf_state";
inline constexpr uint8_t kConfRecordVersion = 1;
inline constexpr std::string_view kDispatchCheckpointKey = "dispatch";
inline constexpr std::string_view kCommandAppliedKey = "commands";
inline constexpr std::string_view kRetainedFromKey = "retained_from";
inline constexpr std::string_view kRestoringKey = "restoring";
// The "group" of a queue-size key: the same layout as a consumer-offset key.
inline constexpr std::string_view kQueueSizeKeyGroup = "queues";
inline constexpr size_t kHardStateValueSize = 24;

struct ConsumerOffsetKey {
  std::string group;
  std::string topic;
  uint32_t queue_id = 0;

  bool operator==(const ConsumerOffsetKey&) const = default;
};

// InvalidArgument when a name is empty or holds a NUL byte.
Status CheckMetaName(std::string_view what, std::string_view name);

std::string EncodeConsumerOffsetKey(const ConsumerOffsetKey& key);
// The prefix every key of `group` starts with.
std::string ConsumerOffsetGroupPrefix(std::string_view group);
Result<ConsumerOffsetKey> DecodeConsumerOffsetKey(std::string_view bytes);

std::string EncodeUint64(uint64_t value);
Result<uint64_t> DecodeUint64(std::string_view bytes);

std::string EncodeHardState(const HardState& state);
Result<HardState> DecodeHardState(std::string_view bytes);

// Also the body of a snapshot's configuration file (raft/snapshot_store.h). Decode checks the
// layout only (Corruption), not the membership rules: Raft checks those (CheckConfState).
std::string EncodeConfRecord(const ConfRecord& record);
Result<ConfRecord> DecodeConfRecord(std::string_view bytes);

}  // namespace raftmq::storage
