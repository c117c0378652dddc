#include "storage/log_record.h"

#include <algorithm>
#include <array>

#include "storage/crc32c.h"

namespace raftmq::storage {

namespace format = commit_log_format;

namespace {

// The header of `entry`'s record, CRC field left zero.
void EncodeHeader(const LogEntry& entry, char* header) {
  RMQ_ASSERT(entry.payload.size() <= format::kBodyBytesMax);
  RMQ_ASSERT(entry.index > Index(0));
  std::memset(header, 0, format::kHeaderBytes);
  PutFixed32(header + format::kMagicOffset, format::kRecordMagic);
  PutFixed32(header + format::kBodySizeOffset, static_cast<uint32_t>(entry.payload.size()));
  header[format::kKindOffset] = static_cast<char>(KindByte(entry.kind));
  PutFixed64(header + format::kTermOffset, entry.term.value());
  PutFixed64(header + format::kIndexOffset, entry.index.value());
}

// The CRC of the header bytes the record CRC covers (the payload is extended onto it).
uint32_t HeaderCrc(const LogEntry& entry) {
  char header[format::kHeaderBytes];
  EncodeHeader(entry, header);
  return crc32c::Value(header + format::kCrcCoveredHeaderOffset, format::kHeaderBytes - format::kCrcCoveredHeaderOffset);
}

}  // namespace

void ComputeRecordCrcs(std::span<const LogEntry> entries, uint32_t* masked_crcs) {
  size_t i = 0;
  for (; i + 3 <= entries.size(); i += 3) {
    const std::string* payloads[3] = {&entries[i].payload, &entries[i + 1].payload, &entries[i + 2].payload};
    size_t common = std::min({payloads[0]->size(), payloads[1]->size(), payloads[2]->size()});
    std::array<uint32_t, 3> crcs = crc32c::Extend3(
        {HeaderCrc(entries[i]), HeaderCrc(entries[i + 1]), HeaderCrc(entries[i + 2])},
        {payloads[0]->data(), payloads[1]->data(), payloads[2]->data()}, common);
    for (size_t k = 0; k < 3; ++k) {
      uint32_t crc = crc32c::Extend(crcs[k], payloads[k]->data() + common, payloads[k]->size() - common);
      masked_crcs[i + k] = crc32c::Mask(crc);
    }
  }
  for (; i < entries.size(); ++i) {
    const std::string& payload = entries[i].payload;
    masked_crcs[i] = crc32c::Mask(crc32c::Extend(HeaderCrc(entries[i]), payload.data(), payload.size()));
  }
}

void AppendRecord(const LogEntry& entry, uint32_t masked_crc, std::string* out) {
  char header[format::kHeaderBytes];
  EncodeHeader(entry, header);
  PutFixed32(header + format::kCrcOffset, masked_crc);
  out->append(header, format::kHeaderBytes);
  out->append(entry.payload);
}

std::string_view RecordCheckName(RecordCheck check) {
  switch (check) {
    case RecordCheck::kOk: return "ok";
    case RecordCheck::kTruncated: return "record cut short (torn write)";
    case RecordCheck::kBadMagic: return "bad magic (not a record)";
    case RecordCheck::kBadCrc: return "CRC mismatch";
    case RecordCheck::kOutOfSequence: return "index out of sequence";
  }
  return "unknown";
}

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
  record->index = Index(GetFixed64(bytes.data() + format::kIndexOffset));
  record->term = Term(GetFixed64(bytes.data() + format::kTermOffset));
  record->kind = EntryKind{static_cast<uint8_t>(bytes[format::kKindOffset])};
  record->body = bytes.substr(format::kHeaderBytes, record_bytes - format::kHeaderBytes);
  record->record_bytes = record_bytes;
  return RecordCheck::kOk;
}

}  // namespace raftmq::storage
