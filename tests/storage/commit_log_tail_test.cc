// Torn tail or corruption, on segment files crafted byte by byte: what follows the last sound
// record decides whether recovery may cut it (LevelDB's TruncatedTrailingRecordIsIgnored vs
// ChecksumMismatch).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "storage/commit_log.h"
#include "storage/commit_log_tail.h"
#include "storage/log_record.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

constexpr uint64_t kRecordBytes = commit_log_format::kHeaderBytes + 20;

// The records of `entries`, as the CommitLog writes them.
std::string Records(const std::vector<LogEntry>& entries) {
  std::vector<uint32_t> crcs(entries.size());
  ComputeRecordCrcs(entries, crcs.data());
  std::string bytes;
  for (size_t i = 0; i < entries.size(); ++i) AppendRecord(entries[i], crcs[i], &bytes);
  return bytes;
}

class CommitLogTail : public ::testing::Test {
 protected:
  std::string LogDir() const { return dir_.path() + "/log"; }
  std::string SegmentPath() const { return LogDir() + "/00000000000000000000"; }
  // A segment holding exactly `bytes`, with no checkpoint: recovery checks every record.
  void WriteSegment(const std::string& bytes) {
    std::filesystem::create_directories(LogDir());
    std::ofstream(SegmentPath(), std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<long>(bytes.size()));
  }
  Result<std::unique_ptr<CommitLog>> Open() {
    return CommitLog::Open(DefaultFs(), CommitLogOptions{.dir = LogDir(), .read_chunk_bytes = 64});
  }
  Result<std::optional<uint64_t>> FindAfter(uint64_t bad_offset) {
    auto file = DefaultFs()->OpenReadable(SegmentPath());
    EXPECT_TRUE(file.ok());
    return FindSoundRecordAfter(file->get(), bad_offset, std::filesystem::file_size(SegmentPath()), 64);
  }

  TempDir dir_;
};

TEST_F(CommitLogTail, CutsZerosAfterTheLastSoundRecord) {
  WriteSegment(Records(MakeEntries(1, 3, 1, 20)) + std::string(100, '\0'));
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(Index(3), (*log)->LastIndex());
  EXPECT_EQ(3 * kRecordBytes, std::filesystem::file_size(SegmentPath()));
}

TEST_F(CommitLogTail, CutsARecordCutShortAtTheEnd) {
  std::string bytes = Records(MakeEntries(1, 3, 1, 20));
  WriteSegment(bytes.substr(0, bytes.size() - 7));
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(Index(2), (*log)->LastIndex());
}

TEST_F(CommitLogTail, CutsGarbageThatHoldsMagicNumbersButNoSoundRecord) {
  std::string garbage = Records(MakeEntries(3, 2, 1, 20));
  garbage[commit_log_format::kCrcOffset] ^= 1;                  // record 3: bad CRC
  garbage[kRecordBytes + commit_log_format::kHeaderBytes] ^= 1;  // record 4: bad CRC
  WriteSegment(Records(MakeEntries(1, 2, 1, 20)) + garbage + "\x07\x01garbage");
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(Index(2), (*log)->LastIndex());
  EXPECT_EQ(2 * kRecordBytes, std::filesystem::file_size(SegmentPath()));
}

TEST_F(CommitLogTail, RefusesGarbageFollowedByASoundRecord) {
  std::string bytes = Records(MakeEntries(1, 2, 1, 20)) + std::string(300, 'x') + Records(MakeEntries(3, 1, 1, 20));
  WriteSegment(bytes);
  auto log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_TRUE(log.status().IsCorruption()) << log.status().ToString();
  EXPECT_NE(std::string::npos, log.status().message().find("at position 104")) << log.status().ToString();
  EXPECT_NE(std::string::npos, log.status().message().find("follows it at position 404")) << log.status().ToString();
  EXPECT_EQ(bytes.size(), std::filesystem::file_size(SegmentPath()));
}

TEST_F(CommitLogTail, RefusesASoundRecordOutOfSequence) {
  WriteSegment(Records(MakeEntries(1, 2, 1, 20)) + Records(MakeEntries(5, 1, 1, 20)));
  auto log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_TRUE(log.status().IsCorruption()) << log.status().ToString();
  EXPECT_NE(std::string::npos, log.status().message().find("index out of sequence")) << log.status().ToString();
}

TEST_F(CommitLogTail, FindsASoundRecordWhereverItStartsAcrossReadChunks) {
  for (uint64_t garbage_bytes = 50; garbage_bytes <= 140; ++garbage_bytes) {  // chunks of 64 bytes
    SCOPED_TRACE(garbage_bytes);
    WriteSegment(std::string(garbage_bytes, '\x5a') + Records(MakeEntries(7, 1, 2, 20)));
    auto found = FindAfter(0);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(garbage_bytes, **found);
  }
}

TEST_F(CommitLogTail, FindsNothingInZerosOrARecordCutShort) {
  std::string record = Records(MakeEntries(7, 1, 2, 20));
  WriteSegment(std::string(200, '\0') + record.substr(0, record.size() - 1));
  auto found = FindAfter(0);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_FALSE(found->has_value());
}

}  // namespace
}  // namespace raftmq::storage
