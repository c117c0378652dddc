// CommitLog's two ways of dropping entries: TruncateSuffix (a follower's divergent,
// uncommitted tail) and DeleteExpiredSegments (retention of old, applied segments).
#include <spdlog/spdlog.h>

#include "storage/commit_log.h"

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

Result<bool> CommitLog::DiskAboveWatermark() {
  RMQ_ASSIGN_OR_RETURN(DiskSpace space, fs_->SpaceOf(options_.dir));
  if (space.total_bytes == 0) return false;
  uint64_t used_bytes = space.total_bytes - std::min(space.available_bytes, space.total_bytes);
  return used_bytes * 100 > uint64_t{options_.disk_usage_watermark_percent} * space.total_bytes;
}

Result<size_t> CommitLog::DeleteExpiredSegments(int64_t now_seconds, Index keep_from) {
  std::lock_guard flush_lock(flush_mu_);
  // The checkpoint moves to the end first, so it can never point into a deleted segment.
  RMQ_RETURN_IF_ERROR(FlushLocked());
  size_t deleted = 0;
  const auto retention_seconds = static_cast<int64_t>(options_.retention_hours * 3600);
  while (true) {
    std::shared_ptr<LogSegment> oldest;
    std::shared_ptr<LogSegment> next;
    {
      std::shared_lock segments_lock(segments_mu_);
      if (segments_.size() < 2) break;
      oldest = segments_.begin()->second;
      next = std::next(segments_.begin())->second;
    }
    // `next` must hold an entry (so `oldest` is not the newest one that does), and `oldest`,
    // whose last index is next's first minus one, must hold none the caller still needs.
    uint64_t next_first = next->first_index.load();
    if (next_first == 0 || next_first - 1 >= keep_from.value()) break;
    RMQ_ASSIGN_OR_RETURN(int64_t modified_seconds, fs_->ModifiedTimeSeconds(oldest->path));
    bool expired = modified_seconds + retention_seconds <= now_seconds;
    bool over_watermark = false;
    if (!expired) {
      RMQ_ASSIGN_OR_RETURN(over_watermark, DiskAboveWatermark());
    }
    if (!expired && !over_watermark) break;
    {
      std::lock_guard lock(write_mu_);
      std::unique_lock segments_lock(segments_mu_);
      segments_.erase(oldest->base);
      first_index_.store(next_first, std::memory_order_release);
    }
    RMQ_RETURN_IF_ERROR(fs_->RemoveFile(oldest->path));
    spdlog::info("commit log: deleted segment {} ({} bytes, entries before {}): {}", oldest->path,
                 oldest->size_bytes.load(), next_first, expired ? "older than retention" : "disk above watermark");
    ++deleted;
  }
  if (deleted > 0) {
    RMQ_RETURN_IF_ERROR(index_->TruncateBefore(FirstIndex()));
    RMQ_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  }
  return deleted;
}

}  // namespace raftmq::storage
