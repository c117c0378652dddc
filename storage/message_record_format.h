// The layout of one message record inside a message batch entry's payload. A payload is a
// sequence of records, each self-delimiting by its leading size; there is no CRC here because
// the CommitLog record around the payload carries one. All integers little-endian.
//
//   offset size  field
//   0      4     record_size         bytes of the whole record, this field included
//   4      1     version             kMessageRecordVersion; other values are refused
//   5      4     flags               the producer's flag word (RocketMQ's `flag`)
//   9      4     queue_id
//   13     4     reconsume_times     how often the message came back for retry
//   17     8     born_timestamp_ms   producer's clock, int64 two's complement
//   25     8     store_timestamp_ms  leader's clock at propose time: the same on every replica
//   33     ...   topic               u16 size + bytes
//                tag                 u16 size + bytes (empty: no tag)
//                message_id          u16 size + bytes (the producer's UNIQ_KEY)
//                keys                u16 count, then per key u16 size + bytes
//                properties          u16 count, then per entry u16 size + name, u16 size + value
//                body                u32 size + bytes
//
// A record must end exactly at record_size; anything else is Corruption.
#pragma once

#include <cstddef>
#include <cstdint>

namespace raftmq::storage::message_record_format {

inline constexpr uint8_t kVersion = 1;

inline constexpr size_t kRecordSizeOffset = 0;
inline constexpr size_t kVersionOffset = 4;
inline constexpr size_t kFlagsOffset = 5;
inline constexpr size_t kQueueIdOffset = 9;
inline constexpr size_t kReconsumeTimesOffset = 13;
inline constexpr size_t kBornTimestampOffset = 17;
inline constexpr size_t kStoreTimestampOffset = 25;
inline constexpr size_t kFixedHeaderSize = 33;

// Sizes of the length prefixes of the variable part.
inline constexpr size_t kShortSizeBytes = 2;  // topic, tag, id, each key, property name/value
inline constexpr size_t kCountBytes = 2;      // number of keys, number of properties
inline constexpr size_t kBodySizeBytes = 4;

// The smallest record: fixed header, three empty strings, no keys, no properties, empty body.
inline constexpr size_t kRecordSizeMin =
    kFixedHeaderSize + 3 * kShortSizeBytes + 2 * kCountBytes + kBodySizeBytes;

// What the encoding can express; the broker enforces far smaller limits (message size 4 MiB).
inline constexpr size_t kShortFieldSizeMax = UINT16_MAX;
inline constexpr size_t kCountMax = UINT16_MAX;
inline constexpr size_t kRecordSizeMax = UINT32_MAX;

static_assert(kVersionOffset == kRecordSizeOffset + 4);
static_assert(kFlagsOffset == kVersionOffset + 1);
static_assert(kQueueIdOffset == kFlagsOffset + 4);
static_assert(kReconsumeTimesOffset == kQueueIdOffset + 4);
static_assert(kBornTimestampOffset == kReconsumeTimesOffset + 4);
static_assert(kStoreTimestampOffset == kBornTimestampOffset + 8);
static_assert(kFixedHeaderSize == kStoreTimestampOffset + 8);
static_assert(kRecordSizeMin == 47);

}  // namespace raftmq::storage::message_record_format
