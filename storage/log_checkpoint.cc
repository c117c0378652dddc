#include "storage/log_checkpoint.h"

#include "storage/commit_log_format.h"
#include "storage/crc32c.h"
#include "storage/durable_replace.h"
#include "storage/log_record.h"

namespace raftmq::storage {

namespace format = commit_log_format;

namespace {
uint32_t CheckpointCrc(const char* bytes) {
  return crc32c::Mask(crc32c::Value(bytes + format::kCheckpointPositionOffset,
                                    format::kCheckpointBytes - format::kCheckpointPositionOffset));
}
}  // namespace

Result<std::optional<LogCheckpoint>> ReadLogCheckpoint(Fs* fs, const std::string& dir) {
  std::string path = dir + "/" + std::string(format::kCheckpointFileName);
  if (!fs->Exists(path)) return std::optional<LogCheckpoint>();
  RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenReadable(path));
  char scratch[format::kCheckpointBytes];
  RMQ_ASSIGN_OR_RETURN(std::string_view bytes, file->Read(0, sizeof(scratch), scratch));
  if (bytes.size() != format::kCheckpointBytes || GetFixed32(bytes.data()) != format::kCheckpointMagic ||
      GetFixed32(bytes.data() + 4) != CheckpointCrc(bytes.data())) {
    return std::optional<LogCheckpoint>();
  }
  return std::optional<LogCheckpoint>(
      LogCheckpoint{.position = GetFixed64(bytes.data() + format::kCheckpointPositionOffset),
                    .next_index = Index(GetFixed64(bytes.data() + format::kCheckpointNextIndexOffset))});
}

Status WriteLogCheckpoint(Fs* fs, const std::string& dir, const LogCheckpoint& checkpoint) {
  RMQ_ASSERT(checkpoint.next_index > Index(0));
  char bytes[format::kCheckpointBytes] = {};
  PutFixed32(bytes, format::kCheckpointMagic);
  PutFixed64(bytes + format::kCheckpointPositionOffset, checkpoint.position);
  PutFixed64(bytes + format::kCheckpointNextIndexOffset, checkpoint.next_index.value());
  PutFixed32(bytes + 4, CheckpointCrc(bytes));
  return ReplaceFileDurably(fs, dir, format::kCheckpointFileName, format::kCheckpointTempFileName,
                            std::string_view(bytes, sizeof(bytes)));
}

}  // namespace raftmq::storage
