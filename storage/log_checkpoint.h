// LogCheckpoint: how far CommitLog recovery may trust the log without reading it again
// (layout and meaning in commit_log_format.h). A CheckedFile (checked_file.h): written to a
// temp file, synced, renamed over the old one and the directory synced, so a crash leaves the
// old or the new one, never half.
//
// Threading: plain functions; the CommitLog serialises writers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/log_ids.h"
#include "storage/fs.h"

namespace raftmq::storage {

struct LogCheckpoint {
  uint64_t position = 0;  // a record boundary; every record before it is durable and verified
  Index next_index;       // the index of the record at `position` (or the next one appended)

  bool operator==(const LogCheckpoint&) const = default;
};

// nullopt when the file is missing or does not pass its CRC (recovery then scans it all).
Result<std::optional<LogCheckpoint>> ReadLogCheckpoint(Fs* fs, const std::string& dir);
Status WriteLogCheckpoint(Fs* fs, const std::string& dir, const LogCheckpoint& checkpoint);

}  // namespace raftmq::storage
