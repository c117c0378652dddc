#include "storage/log_checkpoint.h"

#include "storage/checked_file.h"
#include "storage/commit_log_format.h"
#include "storage/little_endian.h"

namespace raftmq::storage {

namespace format = commit_log_format;

Result<std::optional<LogCheckpoint>> ReadLogCheckpoint(Fs* fs, const std::string& dir) {
  RMQ_ASSIGN_OR_RETURN(CheckedFileRead read, ReadCheckedFile(fs, dir, format::kCheckpointFile));
  if (read.state != CheckedFileState::kSound) return std::optional<LogCheckpoint>();  // recovery scans it all
  const char* bytes = read.bytes.data();
  return std::optional<LogCheckpoint>(
      LogCheckpoint{.position = GetFixed64(bytes + format::kCheckpointPositionOffset),
                    .next_index = Index(GetFixed64(bytes + format::kCheckpointNextIndexOffset))});
}

Status WriteLogCheckpoint(Fs* fs, const std::string& dir, const LogCheckpoint& checkpoint) {
  RMQ_ASSERT(checkpoint.next_index > Index(0));
  std::string bytes(format::kCheckpointBytes, '\0');
  PutFixed64(bytes.data() + format::kCheckpointPositionOffset, checkpoint.position);
  PutFixed64(bytes.data() + format::kCheckpointNextIndexOffset, checkpoint.next_index.value());
  return WriteCheckedFile(fs, dir, format::kCheckpointFile, std::move(bytes));
}

}  // namespace raftmq::storage
