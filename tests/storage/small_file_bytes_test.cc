// The CommitLog's small CRC'd files (checkpoint, snapshot point) keep their bytes: files that
// earlier versions wrote, spelled out here in hex, still read, and writing the same values
// gives the same bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/commit_log_format.h"
#include "storage/fault_fs.h"
#include "storage/log_checkpoint.h"
#include "storage/snapshot_point.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

namespace format = commit_log_format;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 0xf];
  }
  return hex;
}

std::string Unhex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return bytes;
}

class SmallFileBytes : public ::testing::Test {
 protected:
  std::string Path(std::string_view name) const { return dir_.path() + "/" + std::string(name); }
  std::string ReadHex(std::string_view name) const {
    std::ifstream file(Path(name), std::ios::binary);
    return Hex(std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()));
  }
  void WriteHex(std::string_view name, std::string_view hex) const { dir_.WriteFile(name, Unhex(hex)); }

  TempDir dir_;
  Fs* fs_ = DefaultFs();
};

// Written by WriteLogCheckpoint as of main ada4fc4, before the two files shared one codec:
// magic cbd43194, masked CRC, position 0x1234, next_index 77.
constexpr std::string_view kCheckpointHex = "9431d4cb16362f6934120000000000004d00000000000000";
// WriteSnapshotPoint of the same version: magic 5a4e4150, masked CRC, index 1000, term 7, state
// 1 (resetting) or 2 (in place), four zero bytes.
constexpr std::string_view kResettingHex = "50414e5a6fc915c0e80300000000000007000000000000000100000000000000";
constexpr std::string_view kInPlaceHex = "50414e5af652c4b5e80300000000000007000000000000000200000000000000";

const LogCheckpoint kCheckpoint{.position = 0x1234, .next_index = Index(77)};
const SnapshotPoint kResetting{.snapshot = {.index = Index(1000), .term = Term(7)},
                               .stage = SnapshotPoint::Stage::kResetting};
const SnapshotPoint kInPlace{.snapshot = {.index = Index(1000), .term = Term(7)},
                             .stage = SnapshotPoint::Stage::kInPlace};

TEST_F(SmallFileBytes, ACheckpointWrittenEarlierStillReadsAndIsWrittenAlike) {
  WriteHex(format::kCheckpointFileName, kCheckpointHex);
  Result<std::optional<LogCheckpoint>> read = ReadLogCheckpoint(fs_, dir_.path());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, kCheckpoint);
  ASSERT_TRUE(WriteLogCheckpoint(fs_, dir_.path(), kCheckpoint).ok());
  EXPECT_EQ(ReadHex(format::kCheckpointFileName), kCheckpointHex);
}

TEST_F(SmallFileBytes, ASnapshotPointWrittenEarlierStillReadsAndIsWrittenAlike) {
  for (const auto& [hex, point] : {std::pair{kResettingHex, kResetting}, std::pair{kInPlaceHex, kInPlace}}) {
    WriteHex(format::kSnapshotPointFileName, hex);
    Result<std::optional<SnapshotPoint>> read = ReadSnapshotPoint(fs_, dir_.path());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, point) << hex;
    ASSERT_TRUE(WriteSnapshotPoint(fs_, dir_.path(), point).ok());
    EXPECT_EQ(ReadHex(format::kSnapshotPointFileName), hex);
  }
}

// One hex digit changed in the fields, the magic or the CRC, or the file cut short.
std::vector<std::string> Damaged(std::string_view hex) {
  std::vector<std::string> damaged;
  const size_t last = hex.size() - 1;
  for (size_t digit : {size_t{0}, size_t{8}, size_t{20}, last}) {
    std::string changed(hex);
    changed[digit] = changed[digit] == '0' ? '1' : '0';
    damaged.push_back(changed);
  }
  damaged.emplace_back(hex.substr(0, hex.size() - 2));
  return damaged;
}

TEST_F(SmallFileBytes, ADamagedCheckpointIsIgnoredAndAMissingOneIsNone) {
  EXPECT_EQ(*ReadLogCheckpoint(fs_, dir_.path()), std::nullopt);
  for (const std::string& hex : Damaged(kCheckpointHex)) {
    WriteHex(format::kCheckpointFileName, hex);
    Result<std::optional<LogCheckpoint>> read = ReadLogCheckpoint(fs_, dir_.path());
    ASSERT_TRUE(read.ok()) << hex << ": " << read.status().ToString();
    EXPECT_EQ(*read, std::nullopt) << hex;
  }
}

TEST_F(SmallFileBytes, ADamagedSnapshotPointIsCorruptionNamingTheFileAndAMissingOneIsNone) {
  EXPECT_EQ(*ReadSnapshotPoint(fs_, dir_.path()), std::nullopt);
  for (const std::string& hex : Damaged(kInPlaceHex)) {
    WriteHex(format::kSnapshotPointFileName, hex);
    Result<std::optional<SnapshotPoint>> read = ReadSnapshotPoint(fs_, dir_.path());
    EXPECT_TRUE(read.status().IsCorruption()) << hex << ": " << read.status().ToString();
    EXPECT_NE(read.status().ToString().find(Path(format::kSnapshotPointFileName)), std::string::npos)
        << read.status().ToString();
  }
}

// A file that cannot be read is an I/O error for the caller, never taken for a damaged one
// (which the checkpoint's reader would silently ignore).
TEST_F(SmallFileBytes, AReadErrorIsAnErrorNotADamagedFile) {
  WriteHex(format::kCheckpointFileName, kCheckpointHex);
  WriteHex(format::kSnapshotPointFileName, kInPlaceHex);
  FaultFs faulty(fs_);
  faulty.SetReadErrors(true);
  EXPECT_TRUE(ReadLogCheckpoint(&faulty, dir_.path()).status().IsIoError());
  EXPECT_TRUE(ReadSnapshotPoint(&faulty, dir_.path()).status().IsIoError());
}

}  // namespace
}  // namespace raftmq::storage
