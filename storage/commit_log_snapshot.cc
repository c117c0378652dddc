// CommitLog::ResetToSnapshot, and what Open does with the snapshot point (see commit_log.h).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/commit_log.h"
#include "storage/snapshot_point.h"

namespace raftmq::storage {

namespace format = commit_log_format;

Status CommitLog::ResetToSnapshot(const SnapshotMeta& snapshot) {
  if (snapshot.index == Index(0)) return Status::InvalidArgument("commit log: a snapshot at index 0 holds nothing");
  std::lock_guard flush_lock(flush_mu_);
  std::lock_guard lock(write_mu_);
  RMQ_RETURN_IF_ERROR(poisoned_);
  // Durable before anything goes: from here on a restart finishes the reset (Recover). A
  // failure may have left the point in place (a failed directory fsync): poisoned either way.
  Status decided = WriteSnapshotPoint(fs_, options_.dir, SnapshotPoint{.snapshot = snapshot, .stage = SnapshotPoint::Stage::kResetting});
  if (!decided.ok()) return PoisonLocked(decided.WithContext("recording a reset to a snapshot"));
  {
    // Readers find the log empty before files go: the last index drops first, so no moment
    // shows a range holding old entries past the snapshot.
    std::unique_lock segments_lock(segments_mu_);
    last_index_.store(std::min(last_index_.load(), snapshot.index.value()), std::memory_order_release);
    first_index_.store(snapshot.index.value() + 1, std::memory_order_release);
    last_index_.store(snapshot.index.value(), std::memory_order_release);
    durable_index_.store(snapshot.index.value(), std::memory_order_release);
    snapshot_ = snapshot;
  }
  Status status = RemoveLogFiles(snapshot);
  if (status.ok()) status = StartEmptyLogLocked(snapshot);
  if (status.ok()) status = WriteSnapshotPoint(fs_, options_.dir, SnapshotPoint{.snapshot = snapshot});
  if (!status.ok()) return PoisonLocked(status.WithContext("resetting the log to a snapshot"));
  spdlog::info("commit log {}: reset to the snapshot at index {} (term {}); the next entry is {} at position 0",
               options_.dir, snapshot.index.value(), snapshot.term.value(), snapshot.index.value() + 1);
  return Status::Ok();
}

// Serves the empty segment 0 RemoveLogFiles left as the active one.
Status CommitLog::StartEmptyLogLocked(const SnapshotMeta& snapshot) {
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, OpenSegmentReader(0));
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> writer, fs_->OpenAppendable(SegmentPath(0)));
  auto segment = std::make_shared<LogSegment>(0, SegmentPath(0), std::move(reader));
  {
    std::unique_lock segments_lock(segments_mu_);
    segments_.clear();
    segments_[0] = segment;
  }
  active_ = std::move(segment);
  active_writer_ = std::move(writer);
  durable_position_ = 0;
  writeback_position_ = 0;
  checkpoint_ = LogCheckpoint{.position = 0, .next_index = snapshot.index + 1};
  return Status::Ok();
}

// The checkpoint goes first (it may point into the segments), the empty segment 0 and the
// checkpoint at it last, so the files left are a well-formed empty log starting after
// `snapshot`. Used by ResetToSnapshot and by Open finishing an interrupted reset.
Status CommitLog::RemoveLogFiles(const SnapshotMeta& snapshot) {
  const std::string checkpoint = options_.dir + "/" + std::string(format::kCheckpointFileName);
  if (fs_->Exists(checkpoint)) RMQ_RETURN_IF_ERROR(fs_->RemoveFile(checkpoint));
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(options_.dir));
  for (const std::string& name : names) {
    uint64_t base = 0;
    if (ParseSegmentFileName(name, &base)) RMQ_RETURN_IF_ERROR(fs_->RemoveFile(SegmentPath(base)));
  }
  RMQ_RETURN_IF_ERROR(index_->Reset());
  RMQ_RETURN_IF_ERROR(index_->Sync());
  {
    RMQ_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> created, fs_->OpenAppendable(SegmentPath(0)));
    RMQ_RETURN_IF_ERROR(created->Close());
  }
  RMQ_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  return WriteLogCheckpoint(fs_, options_.dir, LogCheckpoint{.position = 0, .next_index = snapshot.index + 1});
}

// Before the segments load: finishes a reset a crash interrupted, and remembers the point.
Result<std::optional<SnapshotPoint>> CommitLog::LoadSnapshotPoint() {
  RMQ_ASSIGN_OR_RETURN(std::optional<SnapshotPoint> point, ReadSnapshotPoint(fs_, options_.dir));
  if (!point) return point;
  if (point->stage == SnapshotPoint::Stage::kResetting) {
    spdlog::warn("commit log {}: finishing the reset to the snapshot at index {} (term {}) that a crash interrupted",
                 options_.dir, point->snapshot.index.value(), point->snapshot.term.value());
    RMQ_RETURN_IF_ERROR(RemoveLogFiles(point->snapshot));
    point->stage = SnapshotPoint::Stage::kInPlace;
    RMQ_RETURN_IF_ERROR(WriteSnapshotPoint(fs_, options_.dir, *point));
  }
  snapshot_ = point->snapshot;
  return point;
}

// After the scan: the log starts after the snapshot point. A retention deletion a crash
// interrupted is finished first. An empty log starts at index + 1 (whatever the checkpoint
// said, were it lost); a non-empty one at an entry after the point (retention may have
// deleted some since): one at or before it predates the reset.
Status CommitLog::ApplySnapshotPoint(const std::optional<SnapshotPoint>& point) {
  if (!point) return Status::Ok();
  if (point->stage == SnapshotPoint::Stage::kTrimming) {
    spdlog::warn("commit log {}: finishing the retention deletion through index {} that a crash interrupted",
                 options_.dir, point->snapshot.index.value());
    RMQ_RETURN_IF_ERROR(DeleteSegmentsThrough(point->snapshot).status());
  }
  const uint64_t after = snapshot_->index.value() + 1;
  const uint64_t first = first_index_.load();
  const bool empty = last_index_.load() + 1 == first;
  if (empty && first < after) {
    first_index_.store(after);
    last_index_.store(after - 1);
  } else if (!empty && first < after) {
    return Status::Corruption("commit log " + options_.dir + ": the log holds entry " + std::to_string(first) +
                              " but its snapshot point says it starts after entry " + std::to_string(after - 1) +
                              ". To recover: stop this node, delete its whole data directory and start it again; it "
                              "rejoins empty");
  }
  RMQ_ASSERT(first_index_.load() >= after);
  return Status::Ok();
}

}  // namespace raftmq::storage
