// CheckedFile: a small file of fixed size holding one record sealed by a magic number and a
// CRC, the shape of the CommitLog's checkpoint and snapshot point (their fields are laid out
// in commit_log_format.h):
//
//   0        4        8                                  bytes
//   +--------+--------+----------------------------------+
//   | magic  | crc    | fields (the caller's, from 8 on) |
//   +--------+--------+----------------------------------+
//
// crc = crc32c::Mask(CRC32C(bytes [8, bytes))): it covers every field, and the magic tells the
// file from zeros before the CRC is computed. Written with ReplaceFileDurably, so a crash
// leaves the old file or the new one, never half. A read tells a missing file from a damaged
// one; what a damaged file means (ignore it, or refuse to open) is the caller's decision.
//
// Threading: plain functions; callers serialise writers of the same file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/fs.h"

namespace raftmq::storage {

inline constexpr size_t kCheckedFileMagicOffset = 0;
inline constexpr size_t kCheckedFileCrcOffset = 4;
inline constexpr size_t kCheckedFileFieldsOffset = 8;
static_assert(kCheckedFileCrcOffset == kCheckedFileMagicOffset + sizeof(uint32_t));
static_assert(kCheckedFileFieldsOffset == kCheckedFileCrcOffset + sizeof(uint32_t));

struct CheckedFileFormat {
  std::string_view file_name;
  std::string_view temp_file_name;  // written first, then renamed over file_name
  uint32_t magic = 0;
  size_t bytes = 0;  // the whole file: magic, CRC and fields
};

enum class CheckedFileState {
  kMissing,
  kDamaged,  // shorter than the format's bytes, or its magic or CRC is wrong
  kSound,
};

struct CheckedFileRead {
  CheckedFileState state = CheckedFileState::kMissing;
  std::string bytes;  // kSound: the whole file, fields at their offsets; else empty
};

// An error only when the file could not be read; a damaged file is a state, not an error.
Result<CheckedFileRead> ReadCheckedFile(Fs* fs, const std::string& dir, const CheckedFileFormat& format);

// `bytes` is the whole file, format.bytes long, with the fields put from offset 8 on; the
// magic and the CRC are put here before it replaces the file.
Status WriteCheckedFile(Fs* fs, const std::string& dir, const CheckedFileFormat& format, std::string bytes);

}  // namespace raftmq::storage
