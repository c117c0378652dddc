// The CommitLog's bytes on disk. A segment file is a sequence of records; a record never
// spans two segments. Instead of padding the rest of a segment with a blank record (RocketMQ
// preallocates and writes one), an append that does not fit rolls to a new segment whose file
// name is the absolute position of its first byte (20 zero-padded digits), so positions stay
// dense: a closed segment ends exactly where its successor's name says, which recovery checks.
//
// One record, little-endian (kHeaderBytes = 32, then the body):
//
//   0        4        8        12   13     16               24               32
//   +--------+--------+--------+----+------+----------------+----------------+---------+
//   | magic  | crc    | body   |kind| zero |     term       |     index      | body... |
//   | u32    | u32    | size   | u8 | 3 B  |     u64        |     u64        |         |
//   +--------+--------+--------+----+------+----------------+----------------+---------+
//
// crc = crc32c::Mask(CRC32C(bytes [8, 32) of the header, then the body)): it covers everything
// after itself, so a torn header, a torn body and a flipped bit all fail it. The magic tells a
// record from zeros or garbage before the CRC is computed. `kind` is the entry's opaque kind
// byte (storage/log_store.h EntryKind); storage never reads its meaning.
//
// The two small files below are CheckedFiles (checked_file.h): a magic, a CRC of the rest,
// then their fields.
//
// The checkpoint file (kCheckpointFileName, replaced by rename) says how far recovery may
// trust the log without reading it again (kCheckpointBytes):
//
//   0        4        8                 16                24
//   +--------+--------+-----------------+-----------------+
//   | magic  | crc    | position (u64)  | next_index (u64)|
//   +--------+--------+-----------------+-----------------+
//
// crc = Mask(CRC32C(bytes [8, 24))). Every record before `position` is durable and was
// verified, and the entry index durably holds every index before `next_index`.
//
// The snapshot point file (kSnapshotPointFileName, replaced by rename; absent until the log's
// first ResetToSnapshot or retention deletion) says where the log starts after a reset to a
// snapshot or a retention deletion (kSnapshotPointBytes):
//
//   0        4        8                 16                24       28       32
//   +--------+--------+-----------------+-----------------+--------+--------+
//   | magic  | crc    | index (u64)     | term (u64)      | state  | zero   |
//   +--------+--------+-----------------+-----------------+--------+--------+
//
// crc = Mask(CRC32C(bytes [8, 32))). The log holds no entry up to `index`, and TermAt(index)
// is `term`. state kSnapshotPointResetting: the reset was decided but its files may not all
// be gone yet (Open finishes it); kSnapshotPointTrimming: retention decided to delete the
// segments that end at `index` and before, which may not all be gone yet (Open finishes it);
// kSnapshotPointInPlace: done.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/checked_file.h"

namespace raftmq::storage::commit_log_format {

static_assert(std::endian::native == std::endian::little, "the formats are little-endian");

inline constexpr uint32_t kRecordMagic = 0xdaa320a7u;  // RocketMQ's MESSAGE_MAGIC_CODE
inline constexpr size_t kMagicOffset = 0;
inline constexpr size_t kCrcOffset = 4;
inline constexpr size_t kBodySizeOffset = 8;
inline constexpr size_t kKindOffset = 12;
inline constexpr size_t kZeroOffset = 13;
inline constexpr size_t kTermOffset = 16;
inline constexpr size_t kIndexOffset = 24;
inline constexpr size_t kHeaderBytes = 32;
inline constexpr size_t kCrcCoveredHeaderOffset = kBodySizeOffset;
// A body is one Raft entry's payload; its size field is a u32.
inline constexpr uint64_t kBodyBytesMax = UINT32_MAX;

static_assert(kCrcOffset == kMagicOffset + sizeof(uint32_t));
static_assert(kBodySizeOffset == kCrcOffset + sizeof(uint32_t));
static_assert(kKindOffset == kBodySizeOffset + sizeof(uint32_t));
static_assert(kZeroOffset == kKindOffset + sizeof(uint8_t));
static_assert(kTermOffset == kZeroOffset + 3 && kTermOffset % 8 == 0);
static_assert(kIndexOffset == kTermOffset + sizeof(uint64_t));
static_assert(kHeaderBytes == kIndexOffset + sizeof(uint64_t));

inline constexpr size_t kSegmentNameDigits = 20;  // RocketMQ: 00000000001073741824

inline constexpr std::string_view kCheckpointFileName = "checkpoint";
inline constexpr std::string_view kCheckpointTempFileName = "checkpoint.tmp";
inline constexpr std::string_view kIndexDirName = "index";
inline constexpr uint32_t kCheckpointMagic = 0xcbd43194u;  // RocketMQ's BLANK_MAGIC_CODE
inline constexpr size_t kCheckpointPositionOffset = 8;
inline constexpr size_t kCheckpointNextIndexOffset = 16;
inline constexpr size_t kCheckpointBytes = 24;
static_assert(kCheckpointNextIndexOffset == kCheckpointPositionOffset + sizeof(uint64_t));
static_assert(kCheckpointBytes == kCheckpointNextIndexOffset + sizeof(uint64_t));
static_assert(kCheckpointPositionOffset == kCheckedFileFieldsOffset);
inline constexpr CheckedFileFormat kCheckpointFile{.file_name = kCheckpointFileName,
                                                   .temp_file_name = kCheckpointTempFileName,
                                                   .magic = kCheckpointMagic,
                                                   .bytes = kCheckpointBytes};

inline constexpr std::string_view kSnapshotPointFileName = "snapshot_point";
inline constexpr std::string_view kSnapshotPointTempFileName = "snapshot_point.tmp";
inline constexpr uint32_t kSnapshotPointMagic = 0x5a4e4150u;  // arbitrary: tells the file from zeros
inline constexpr size_t kSnapshotPointIndexOffset = 8;
inline constexpr size_t kSnapshotPointTermOffset = 16;
inline constexpr size_t kSnapshotPointStateOffset = 24;
inline constexpr size_t kSnapshotPointBytes = 32;
inline constexpr uint32_t kSnapshotPointResetting = 1;
inline constexpr uint32_t kSnapshotPointInPlace = 2;
inline constexpr uint32_t kSnapshotPointTrimming = 3;
static_assert(kSnapshotPointTermOffset == kSnapshotPointIndexOffset + sizeof(uint64_t));
static_assert(kSnapshotPointStateOffset == kSnapshotPointTermOffset + sizeof(uint64_t));
static_assert(kSnapshotPointBytes == kSnapshotPointStateOffset + 2 * sizeof(uint32_t));
static_assert(kSnapshotPointIndexOffset == kCheckedFileFieldsOffset);
inline constexpr CheckedFileFormat kSnapshotPointFile{.file_name = kSnapshotPointFileName,
                                                      .temp_file_name = kSnapshotPointTempFileName,
                                                      .magic = kSnapshotPointMagic,
                                                      .bytes = kSnapshotPointBytes};

}  // namespace raftmq::storage::commit_log_format
