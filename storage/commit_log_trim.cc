// CommitLog's two ways of dropping entries: TruncateSuffix (a follower's divergent,
// uncommitted tail) and retention: RetentionCutoff (which old segments may go) and
// DeleteSegmentsBefore (deleting them once the group decided).
#include <spdlog/spdlog.h>


#include "storage/commit_log.h"
#include "storage/snapshot_point.h"

namespace raftmq::storage {

namespace format = commit_log_format;

Status CommitLog::TruncateSuffix(Index last_kept) {
  std::lock_guard flush_lock(flush_mu_);
  if (last_kept >= LastIndex()) return Status::Ok();
  if (last_kept + 1 < FirstIndex()) {
    return Status::InvalidArgument("commit log: cannot truncate to " + std::to_string(last_kept.value()) +
                                   ", entries before " + std::to_string(FirstIndex().value()) + " are gone");
  }
  // With everything durable first, a checkpoint at the cut is honest, and it must never point
  // past the cut, where new records will start at other boundaries.
  RMQ_RETURN_IF_ERROR(FlushLocked());
  RMQ_ASSIGN_OR_RETURN(EntryLocation location, index_->Get(last_kept + 1));
  uint64_t cut = location.payload_position - format::kHeaderBytes;
  if (checkpoint_.position > cut) {
    LogCheckpoint checkpoint{.position = cut, .next_index = last_kept + 1};
    RMQ_RETURN_IF_ERROR(WriteLogCheckpoint(fs_, options_.dir, checkpoint));
    checkpoint_ = checkpoint;
  }
  std::lock_guard lock(write_mu_);
  RMQ_RETURN_IF_ERROR(poisoned_);
  last_index_.store(last_kept.value(), std::memory_order_release);  // readers stop first
  durable_index_.store(std::min(durable_index_.load(), last_kept.value()), std::memory_order_release);
  Status status = CutSegmentsAfterLocked(cut);
  if (status.ok()) status = index_->TruncateAfter(last_kept);
  if (status.ok()) status = active_writer_->Sync();  // the cut is durable
  if (!status.ok()) return PoisonLocked(status.WithContext("truncating the log suffix"));
  durable_position_ = cut;
  RMQ_ASSERT(active_->End() == cut);
  spdlog::info("commit log {}: truncated after index {} (position {})", options_.dir, last_kept.value(), cut);
  return Status::Ok();
}

// Removes the segments at or after `cut` (newest first, so a crash midway leaves a prefix)
// and cuts the one holding it; the first segment is kept, empty if need be.
Status CommitLog::CutSegmentsAfterLocked(uint64_t cut) {
  std::vector<std::shared_ptr<LogSegment>> removed;
  {
    std::unique_lock segments_lock(segments_mu_);
    while (segments_.size() > 1 && std::prev(segments_.end())->first >= cut) {
      removed.push_back(std::prev(segments_.end())->second);
      segments_.erase(std::prev(segments_.end()));
    }
  }
  for (const auto& segment : removed) RMQ_RETURN_IF_ERROR(fs_->RemoveFile(segment->path));
  std::shared_ptr<LogSegment> segment = std::prev(segments_.end())->second;
  RMQ_ASSERT(segment->base <= cut);
  RMQ_RETURN_IF_ERROR(fs_->Truncate(segment->path, cut - segment->base));
  segment->size_bytes.store(cut - segment->base, std::memory_order_release);
  if (cut == segment->base) segment->first_index.store(0);
  active_ = segment;
  RMQ_ASSIGN_OR_RETURN(active_writer_, fs_->OpenAppendable(segment->path));
  if (!removed.empty()) RMQ_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  return Status::Ok();
}

Result<uint64_t> CommitLog::BytesAboveWatermark() const {
  RMQ_ASSIGN_OR_RETURN(DiskSpace space, fs_->SpaceOf(options_.dir));
  if (space.total_bytes == 0) return uint64_t{0};
  const uint64_t used_bytes = space.total_bytes - std::min(space.available_bytes, space.total_bytes);
  const uint64_t watermark_bytes = space.total_bytes / 100 * options_.disk_usage_watermark_percent +
                                   space.total_bytes % 100 * options_.disk_usage_watermark_percent / 100;
  return used_bytes > watermark_bytes ? used_bytes - watermark_bytes : 0;
}

Result<Index> CommitLog::RetentionCutoff(int64_t now_seconds, Index bound, bool by_age) const {
  std::vector<std::shared_ptr<LogSegment>> segments;
  {
    std::shared_lock segments_lock(segments_mu_);
    for (const auto& [base, segment] : segments_) segments.push_back(segment);
  }
  RMQ_ASSIGN_OR_RETURN(uint64_t bytes_over, BytesAboveWatermark());
  const auto retention_seconds = static_cast<int64_t>(options_.retention_hours * 3600);
  Index cutoff = FirstIndex();
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    // The next segment must hold an entry (so this one is not the newest that does), and this
    // one, whose last index is next's first minus one, none at or after `bound`.
    const uint64_t next_first = segments[i + 1]->first_index.load();
    if (next_first == 0 || next_first > bound.value()) break;
    bool expired = false;
    if (by_age) {
      RMQ_ASSIGN_OR_RETURN(int64_t modified_seconds, fs_->ModifiedTimeSeconds(segments[i]->path));
      expired = modified_seconds + retention_seconds <= now_seconds;
    }
    if (!expired && bytes_over == 0) break;
    const uint64_t size_bytes = segments[i]->size_bytes.load();
    bytes_over -= std::min(bytes_over, size_bytes);
    cutoff = Index(next_first);
  }
  RMQ_ASSERT(cutoff <= std::max(bound, FirstIndex()));
  return cutoff;
}

Result<SegmentsDeleted> CommitLog::DeleteSegmentsBefore(Index index) {
  std::lock_guard flush_lock(flush_mu_);
  if (index <= FirstIndex()) return SegmentsDeleted{};
  // The checkpoint moves to the end first, so it can never point into a deleted segment.
  RMQ_RETURN_IF_ERROR(FlushLocked());
  const Index first_kept = FirstKeptBefore(index);
  if (first_kept == FirstIndex()) return SegmentsDeleted{};
  RMQ_ASSIGN_OR_RETURN(Term last_term, TermAt(first_kept - 1));
  const SnapshotMeta last_deleted{.index = first_kept - 1, .term = last_term};
  // Decided durably before the first segment goes: a crash midway leaves this point, and Open
  // finishes the deletion, so the term before the first entry is never lost.
  RMQ_RETURN_IF_ERROR(WriteSnapshotPoint(
      fs_, options_.dir, SnapshotPoint{.snapshot = last_deleted, .stage = SnapshotPoint::Stage::kTrimming}));
  RMQ_ASSIGN_OR_RETURN(SegmentsDeleted deleted, DeleteSegmentsThrough(last_deleted));
  RMQ_ASSERT(FirstIndex() == first_kept && FirstIndex() <= index);
  return deleted;
}

// As in RetentionCutoff: a segment goes when the next one holds an entry and it holds none at
// or after `index`; never the newest segment holding an entry.
Index CommitLog::FirstKeptBefore(Index index) const {
  std::shared_lock segments_lock(segments_mu_);
  uint64_t first_kept = first_index_.load();
  for (auto next = std::next(segments_.begin()); next != segments_.end(); ++next) {
    const uint64_t next_first = next->second->first_index.load();
    if (next_first == 0 || next_first > index.value()) break;
    first_kept = next_first;
  }
  return Index(first_kept);
}

// Oldest first, so a crash midway leaves the log a suffix of itself.
Result<SegmentsDeleted> CommitLog::DeleteSegmentsThrough(const SnapshotMeta& last_deleted) {
  SegmentsDeleted deleted;
  while (true) {
    std::shared_ptr<LogSegment> oldest;
    uint64_t next_first = 0;
    {
      std::shared_lock segments_lock(segments_mu_);
      if (segments_.size() < 2) break;
      oldest = segments_.begin()->second;
      next_first = std::next(segments_.begin())->second->first_index.load();
    }
    if (next_first == 0 || next_first > last_deleted.index.value() + 1) break;
    {
      std::lock_guard lock(write_mu_);
      std::unique_lock segments_lock(segments_mu_);
      RMQ_ASSERT(oldest != active_);
      segments_.erase(oldest->base);
      first_index_.store(next_first, std::memory_order_release);
    }
    RMQ_RETURN_IF_ERROR(fs_->RemoveFile(oldest->path));
    spdlog::info("commit log: retention deleted segment {} ({} bytes, entries before {})", oldest->path,
                 oldest->size_bytes.load(), next_first);
    ++deleted.segments;
    deleted.bytes += oldest->size_bytes.load();
  }
  RMQ_RETURN_IF_ERROR(index_->TruncateBefore(FirstIndex()));
  RMQ_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  RMQ_RETURN_IF_ERROR(WriteSnapshotPoint(fs_, options_.dir, SnapshotPoint{.snapshot = last_deleted}));
  std::unique_lock segments_lock(segments_mu_);
  snapshot_ = last_deleted;
  return deleted;
}

}  // namespace raftmq::storage
