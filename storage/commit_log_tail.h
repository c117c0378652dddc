// Tells a torn tail from corruption, as LevelDB's log::Reader does: a record the writer did
// not finish (cut short at the end of the newest segment, or followed only by zeros or
// garbage) means the process or the machine died mid-write, and cutting it loses nothing
// that was ever durable. A bad record with a sound record after it cannot come from a
// dying writer appending in order: it is damage, and the records after it may have been
// acknowledged, so recovery must not cut them.
//
// Threading: pure functions over a file nobody writes (recovery, before the log opens).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/result.h"
#include "storage/fs.h"

namespace raftmq::storage {

// The offset of the first sound record (magic, size within the range, CRC, known type)
// starting in (bad_offset, end_offset) of `file`, or nullopt when none does. Reads
// chunk_bytes at a time, plus each candidate record once.
Result<std::optional<uint64_t>> FindSoundRecordAfter(const RandomAccessFile* file, uint64_t bad_offset,
                                                     uint64_t end_offset, size_t chunk_bytes);

}  // namespace raftmq::storage
