#include "storage/snapshot_point.h"

#include "storage/checked_file.h"
#include "storage/commit_log_format.h"
#include "storage/little_endian.h"

namespace raftmq::storage {

namespace format = commit_log_format;

namespace {

uint32_t StateOf(SnapshotPoint::Stage stage) {
  if (stage == SnapshotPoint::Stage::kResetting) return format::kSnapshotPointResetting;
  if (stage == SnapshotPoint::Stage::kTrimming) return format::kSnapshotPointTrimming;
  return format::kSnapshotPointInPlace;
}

}  // namespace

Result<std::optional<SnapshotPoint>> ReadSnapshotPoint(Fs* fs, const std::string& dir) {
  RMQ_ASSIGN_OR_RETURN(CheckedFileRead read, ReadCheckedFile(fs, dir, format::kSnapshotPointFile));
  if (read.state == CheckedFileState::kMissing) return std::optional<SnapshotPoint>();
  const uint32_t state = read.state == CheckedFileState::kSound
                             ? GetFixed32(read.bytes.data() + format::kSnapshotPointStateOffset)
                             : 0;
  std::optional<SnapshotPoint::Stage> stage;
  if (state == format::kSnapshotPointInPlace) stage = SnapshotPoint::Stage::kInPlace;
  if (state == format::kSnapshotPointResetting) stage = SnapshotPoint::Stage::kResetting;
  if (state == format::kSnapshotPointTrimming) stage = SnapshotPoint::Stage::kTrimming;
  if (!stage) {
    const std::string path = dir + "/" + std::string(format::kSnapshotPointFileName);
    return Status::Corruption("commit log: snapshot point " + path +
                              " is damaged (size, magic, CRC or state); it alone says where the log starts, so the "
                              "log cannot be opened. To recover: stop this node, delete its whole data directory and "
                              "start it again; it rejoins empty");
  }
  const char* bytes = read.bytes.data();
  return std::optional<SnapshotPoint>(
      SnapshotPoint{.snapshot = {.index = Index(GetFixed64(bytes + format::kSnapshotPointIndexOffset)),
                                 .term = Term(GetFixed64(bytes + format::kSnapshotPointTermOffset))},
                    .stage = *stage});
}

Status WriteSnapshotPoint(Fs* fs, const std::string& dir, const SnapshotPoint& point) {
  std::string bytes(format::kSnapshotPointBytes, '\0');
  PutFixed64(bytes.data() + format::kSnapshotPointIndexOffset, point.snapshot.index.value());
  PutFixed64(bytes.data() + format::kSnapshotPointTermOffset, point.snapshot.term.value());
  PutFixed32(bytes.data() + format::kSnapshotPointStateOffset, StateOf(point.stage));
  return WriteCheckedFile(fs, dir, format::kSnapshotPointFile, std::move(bytes));
}

}  // namespace raftmq::storage
