#include "storage/log_record.h"
#include "tests/storage/entry_kinds.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace raftmq::storage {
namespace {

using testing::kMessageBatchKind;

// Payload sizes around the 8-byte word and the three-at-a-time grouping, so every tail path
// of ComputeRecordCrcs runs.
std::vector<LogEntry> EntriesOfMixedSizes() {
  std::vector<LogEntry> entries;
  const size_t sizes[] = {0, 1, 7, 8, 9, 100, 1024, 3, 1025, 64, 65, 0, 17, 4096};
  uint64_t index = 1;
  for (size_t size : sizes) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 31 + index);
    entries.push_back(LogEntry{.index = Index(index), .term = Term(index / 4 + 1), .kind = kMessageBatchKind,
                               .payload = std::move(payload)});
    ++index;
  }
  return entries;
}

TEST(LogRecord, RecordsEncodedWithBatchCrcsParseBackIntact) {
  std::vector<LogEntry> entries = EntriesOfMixedSizes();
  std::vector<uint32_t> crcs(entries.size());
  ComputeRecordCrcs(entries, crcs.data());
  std::string bytes;
  for (size_t i = 0; i < entries.size(); ++i) AppendRecord(entries[i], crcs[i], &bytes);
  std::string_view rest = bytes;
  for (const LogEntry& entry : entries) {
    ParsedRecord record;
    ASSERT_EQ(RecordCheck::kOk, ParseRecord(rest, &record)) << "entry " << entry.index.value();
    EXPECT_EQ(entry.index, record.index);
    EXPECT_EQ(entry.term, record.term);
    EXPECT_EQ(entry.payload, record.body);
    rest.remove_prefix(record.record_bytes);
  }
  EXPECT_TRUE(rest.empty());
}

TEST(LogRecord, BatchCrcsMatchCrcsComputedOneEntryAtATime) {
  std::vector<LogEntry> entries = EntriesOfMixedSizes();
  std::vector<uint32_t> batch(entries.size());
  ComputeRecordCrcs(entries, batch.data());
  for (size_t i = 0; i < entries.size(); ++i) {
    uint32_t single = 0;
    ComputeRecordCrcs(std::span<const LogEntry>(&entries[i], 1), &single);
    EXPECT_EQ(single, batch[i]) << "entry " << i;
  }
}

TEST(LogRecord, AFlippedPayloadBitFailsTheCrc) {
  std::vector<LogEntry> entries = EntriesOfMixedSizes();
  std::vector<uint32_t> crcs(entries.size());
  ComputeRecordCrcs(entries, crcs.data());
  std::string bytes;
  AppendRecord(entries[6], crcs[6], &bytes);  // 1024-byte payload, CRC'd in a group of three
  bytes[commit_log_format::kHeaderBytes + 500] ^= 0x10;
  ParsedRecord record;
  EXPECT_EQ(RecordCheck::kBadCrc, ParseRecord(bytes, &record));
}

}  // namespace
}  // namespace raftmq::storage
