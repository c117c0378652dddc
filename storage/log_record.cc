#include "storage/log_record.h"

#include "storage/crc32c.h"

namespace raftmq::storage {

namespace format = commit_log_format;

void AppendRecord(const LogEntry& entry, std::string* out) {
  RMQ_ASSERT(entry.payload.size() <= format::kBodyBytesMax);
  RMQ_ASSERT(entry.index > Index(0));
  char header[format::kHeaderBytes] = {};
  PutFixed32(header + format::kMagicOffset, format::kRecordMagic);
  PutFixed32(header + format::kBodySizeOffset, static_cast<uint32_t>(entry.payload.size()));
  header[format::kTypeOffset] = static_cast<char>(entry.type);
  PutFixed64(header + format::kTermOffset, entry.term.value());
  PutFixed64(header + format::kIndexOffset, entry.index.value());
  uint32_t crc = crc32c::Value(header + format::kCrcCoveredHeaderOffset,
                               format::kHeaderBytes - format::kCrcCoveredHeaderOffset);
  crc = crc32c::Extend(crc, entry.payload.data(), entry.payload.size());
  PutFixed32(header + format::kCrcOffset, crc32c::Mask(crc));
  out->append(header, format::kHeaderBytes);
  out->append(entry.payload);
}

std::string_view RecordCheckName(RecordCheck check) {
  switch (check) {
    case RecordCheck::kOk: return "ok";
    case RecordCheck::kTruncated: return "record cut short (torn write)";
    case RecordCheck::kBadMagic: return "bad magic (not a record)";
    case RecordCheck::kBadCrc: return "CRC mismatch";
    case RecordCheck::kBadType: return "unknown entry type";
    case RecordCheck::kOutOfSequence: return "index out of sequence";
  }
  return "unknown";
}

namespace {
bool IsKnownType(uint8_t type) {
  return type >= static_cast<uint8_t>(EntryType::kNoop) && type <= static_cast<uint8_t>(EntryType::kMembership);
}
}  // namespace

RecordCheck ParseRecord(std::string_view bytes, ParsedRecord* record) {
  if (bytes.size() < format::kMagicOffset + sizeof(uint32_t)) return RecordCheck::kTruncated;
  if (GetFixed32(bytes.data() + format::kMagicOffset) != format::kRecordMagic) return RecordCheck::kBadMagic;
  if (bytes.size() < format::kHeaderBytes) return RecordCheck::kTruncated;
  uint64_t record_bytes = RecordBytesClaimed(bytes.data());
  if (bytes.size() < record_bytes) return RecordCheck::kTruncated;
  uint32_t expected = crc32c::Unmask(GetFixed32(bytes.data() + format::kCrcOffset));
  uint32_t actual = crc32c::Value(bytes.data() + format::kCrcCoveredHeaderOffset,
                                  record_bytes - format::kCrcCoveredHeaderOffset);
  if (actual != expected) return RecordCheck::kBadCrc;
  auto type = static_cast<uint8_t>(bytes[format::kTypeOffset]);
  if (!IsKnownType(type)) return RecordCheck::kBadType;
  record->index = Index(GetFixed64(bytes.data() + format::kIndexOffset));
  record->term = Term(GetFixed64(bytes.data() + format::kTermOffset));
  record->type = static_cast<EntryType>(type);
  record->body = bytes.substr(format::kHeaderBytes, record_bytes - format::kHeaderBytes);
  record->record_bytes = record_bytes;
  return RecordCheck::kOk;
}

}  // namespace raftmq::storage
