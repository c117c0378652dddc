#include "storage/snapshot_point.h"

#include "storage/commit_log_format.h"
#include "storage/crc32c.h"
#include "storage/durable_replace.h"
#include "storage/log_record.h"

namespace raftmq::storage {

namespace format = commit_log_format;

namespace {
uint32_t SnapshotPointCrc(const char* bytes) {
  return crc32c::Mask(crc32c::Value(bytes + format::kSnapshotPointIndexOffset,
                                    format::kSnapshotPointBytes - format::kSnapshotPointIndexOffset));
}
}  // namespace

Result<std::optional<SnapshotPoint>> ReadSnapshotPoint(Fs* fs, const std::string& dir) {
  const std::string path = dir + "/" + std::string(format::kSnapshotPointFileName);
  if (!fs->Exists(path)) return std::optional<SnapshotPoint>();
  RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenReadable(path));
  char scratch[format::kSnapshotPointBytes];
  RMQ_ASSIGN_OR_RETURN(std::string_view bytes, file->Read(0, sizeof(scratch), scratch));
  const uint32_t state = bytes.size() == format::kSnapshotPointBytes
                             ? GetFixed32(bytes.data() + format::kSnapshotPointStateOffset)
                             : 0;
  if (bytes.size() != format::kSnapshotPointBytes || GetFixed32(bytes.data()) != format::kSnapshotPointMagic ||
      GetFixed32(bytes.data() + 4) != SnapshotPointCrc(bytes.data()) ||
      (state != format::kSnapshotPointResetting && state != format::kSnapshotPointInPlace)) {
    return Status::Corruption("commit log: snapshot point " + path +
                              " is damaged (size, magic, CRC or state); it alone says where the log starts, so the "
                              "log cannot be opened. To recover: stop this node, delete its whole data directory and "
                              "start it again; it rejoins empty");
  }
  return std::optional<SnapshotPoint>(SnapshotPoint{
      .snapshot = {.index = Index(GetFixed64(bytes.data() + format::kSnapshotPointIndexOffset)),
                   .term = Term(GetFixed64(bytes.data() + format::kSnapshotPointTermOffset))},
      .resetting = state == format::kSnapshotPointResetting});
}

Status WriteSnapshotPoint(Fs* fs, const std::string& dir, const SnapshotPoint& point) {
  char bytes[format::kSnapshotPointBytes] = {};
  PutFixed32(bytes, format::kSnapshotPointMagic);
  PutFixed64(bytes + format::kSnapshotPointIndexOffset, point.snapshot.index.value());
  PutFixed64(bytes + format::kSnapshotPointTermOffset, point.snapshot.term.value());
  PutFixed32(bytes + format::kSnapshotPointStateOffset,
             point.resetting ? format::kSnapshotPointResetting : format::kSnapshotPointInPlace);
  PutFixed32(bytes + 4, SnapshotPointCrc(bytes));
  return ReplaceFileDurably(fs, dir, format::kSnapshotPointFileName, format::kSnapshotPointTempFileName,
                            std::string_view(bytes, sizeof(bytes)));
}

}  // namespace raftmq::storage
