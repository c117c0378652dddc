// The on-disk layout of a ConsumeQueue: fixed 20-byte entries, little-endian, one per message,
// the entry number being the message's logical queue offset.
//
//   offset size  field
//   0      8     commit_log_position  absolute CommitLog byte position of the message record
//   8      4     size                 bytes of the record (never 0 in a written entry)
//   12     8     tag_hash             TagHash(tag): FNV-1a 64 of the tag, 0 when no tag
//
// Files live in <root>/consumequeue/<topic>/<queueId>/ and are named by the queue offset of
// their first entry, 20 decimal digits, so names sort like offsets. Every file but the last
// holds exactly entries_per_file entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace raftmq::storage::consume_queue_format {

inline constexpr size_t kPositionOffset = 0;
inline constexpr size_t kSizeOffset = 8;
inline constexpr size_t kTagHashOffset = 12;
inline constexpr size_t kEntrySize = 20;
inline constexpr size_t kFileNameDigits = 20;
inline constexpr std::string_view kDirName = "consumequeue";

static_assert(kSizeOffset == kPositionOffset + sizeof(uint64_t));
static_assert(kTagHashOffset == kSizeOffset + sizeof(uint32_t));
static_assert(kEntrySize == kTagHashOffset + sizeof(uint64_t));

// FNV-1a 64 parameters (http://www.isthe.com/chongo/tech/comp/fnv/).
inline constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ull;
inline constexpr uint64_t kFnvPrime = 1099511628211ull;

}  // namespace raftmq::storage::consume_queue_format
