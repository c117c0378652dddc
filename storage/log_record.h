// Encoding and checking of one CommitLog record (layout in commit_log_format.h). The field
// helpers (PutFixed32, GetFixed64, ...) come from little_endian.h.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/commit_log_format.h"
#include "storage/little_endian.h"
#include "storage/log_store.h"

namespace raftmq::storage {

// The masked CRC field of each entry's record, into masked_crcs[0, entries.size()); three
// records at a time (crc32c::Extend3). The caller checked the payload sizes.
void ComputeRecordCrcs(std::span<const LogEntry> entries, uint32_t* masked_crcs);
// Appends the record of `entry` to `out`, with the CRC ComputeRecordCrcs gave for it.
void AppendRecord(const LogEntry& entry, uint32_t masked_crc, std::string* out);

// What a parse of the bytes at a record's start found. Every value but kOk means the bytes
// are not a record the writer finished: recovery cuts them off the newest segment and calls
// them corruption anywhere else.
enum class RecordCheck : uint8_t {
  kOk,
  kTruncated,  // fewer bytes than the header or the body needs
  kBadMagic,
  kBadCrc,
  kOutOfSequence,  // a sound record, but not the index that must come next (set by callers)
};
std::string_view RecordCheckName(RecordCheck check);

struct ParsedRecord {
  Index index;
  Term term;
  EntryKind kind{};
  std::string_view body;    // points into the parsed bytes
  uint64_t record_bytes = 0;
};

// Parses the record at the start of `bytes` (which may hold more after it).
RecordCheck ParseRecord(std::string_view bytes, ParsedRecord* record);

// The body size a header claims, before any check (kHeaderBytes must be available).
inline uint64_t RecordBytesClaimed(const char* header) {
  return commit_log_format::kHeaderBytes + GetFixed32(header + commit_log_format::kBodySizeOffset);
}

}  // namespace raftmq::storage
