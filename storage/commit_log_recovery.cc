// CommitLog::Open: loads the segments, checks the records written since the last
// checkpoint, cuts a torn tail off the newest segment, refuses to start on corruption,
// repairs the entry index.
#include <spdlog/spdlog.h>

#include "storage/commit_log.h"
#include "storage/commit_log_tail.h"

namespace raftmq::storage {

namespace format = commit_log_format;

Result<std::unique_ptr<CommitLog>> CommitLog::Open(Fs* fs, CommitLogOptions options) {
  RMQ_ASSERT(fs != nullptr);
  if (options.dir.empty()) return Status::InvalidArgument("commit log: dir is empty");
  if (options.segment_size_bytes < format::kHeaderBytes) {
    return Status::InvalidArgument("commit log: segment_size_bytes is smaller than a record header");
  }
  if (options.flush_interval_ms == 0) return Status::InvalidArgument("commit log: flush_interval_ms must be > 0");
  if (options.disk_usage_watermark_percent == 0 || options.disk_usage_watermark_percent > 100) {
    return Status::InvalidArgument("commit log: disk_usage_watermark_percent must be in [1, 100]");
  }
  if (options.read_chunk_bytes < format::kHeaderBytes) {
    return Status::InvalidArgument("commit log: read_chunk_bytes is smaller than a record header");
  }
  std::unique_ptr<CommitLog> log(new CommitLog(fs, std::move(options)));
  RMQ_RETURN_IF_ERROR(log->Recover());
  log->flusher_ = std::thread([raw = log.get()] { raw->FlusherLoop(); });
  return log;
}

Status CommitLog::Recover() {
  RMQ_RETURN_IF_ERROR(fs_->CreateDirs(options_.dir));
  RMQ_ASSIGN_OR_RETURN(index_, EntryIndex::Open(fs_, EntryIndexOptions{
                                                        .dir = options_.dir + "/" + std::string(format::kIndexDirName),
                                                        .entries_per_file = options_.index_entries_per_file}));
  RMQ_ASSIGN_OR_RETURN(std::optional<SnapshotPoint> point, LoadSnapshotPoint());
  RMQ_RETURN_IF_ERROR(LoadSegments());
  RMQ_RETURN_IF_ERROR(ReadFirstIndexes());
  RMQ_ASSIGN_OR_RETURN(LogCheckpoint start, ChooseScanStart());
  RMQ_RETURN_IF_ERROR(ScanFrom(start));
  RMQ_RETURN_IF_ERROR(ApplySnapshotPoint(point));
  RMQ_RETURN_IF_ERROR(OpenActiveSegment());
  std::lock_guard flush_lock(flush_mu_);
  return FlushLocked();
}

// Only the newest segment may end anywhere: every older one must end exactly where the
// next one's name says it starts, as a roll synced it before creating the next.
Status CommitLog::LoadSegments() {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(options_.dir));
  for (const std::string& name : names) {
    uint64_t base = 0;
    if (!ParseSegmentFileName(name, &base)) continue;
    RMQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, OpenSegmentReader(base));
    auto segment = std::make_shared<LogSegment>(base, SegmentPath(base), std::move(reader));
    RMQ_ASSIGN_OR_RETURN(uint64_t size_bytes, fs_->FileSize(segment->path));
    segment->size_bytes.store(size_bytes);
    segments_[base] = std::move(segment);
  }
  if (segments_.empty()) {
    RMQ_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> created, fs_->OpenAppendable(SegmentPath(0)));
    RMQ_RETURN_IF_ERROR(created->Close());
    RMQ_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
    RMQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, OpenSegmentReader(0));
    segments_[0] = std::make_shared<LogSegment>(0, SegmentPath(0), std::move(reader));
  }
  for (auto it = segments_.begin(); std::next(it) != segments_.end(); ++it) {
    uint64_t end = it->second->End();
    uint64_t next_base = std::next(it)->first;
    if (end != next_base) {
      return Status::Corruption("commit log: closed segment " + it->second->path + " ends at position " +
                                std::to_string(end) + " but the next segment starts at " + std::to_string(next_base));
    }
  }
  return Status::Ok();
}

// The first index of each segment, from its first header (the scan re-reads the ones after
// the checkpoint with their CRCs).
Status CommitLog::ReadFirstIndexes() {
  for (auto& [base, segment] : segments_) {
    if (segment->size_bytes.load() < format::kHeaderBytes) continue;
    char header[format::kHeaderBytes];
    RMQ_ASSIGN_OR_RETURN(std::string_view got, segment->reader->Read(0, sizeof(header), header));
    if (got.size() == sizeof(header) && GetFixed32(header + format::kMagicOffset) == format::kRecordMagic) {
      segment->first_index.store(GetFixed64(header + format::kIndexOffset));
    } else if (segment != std::prev(segments_.end())->second) {
      return Status::Corruption("commit log: closed segment " + segment->path + " does not start with a record");
    }
  }
  return Status::Ok();
}

// The checkpoint, when it lies inside the log and the entry index holds everything before
// it; otherwise the start of the log, with an emptied index (next_index 0: "whatever the
// first record says").
Result<LogCheckpoint> CommitLog::ChooseScanStart() {
  uint64_t first_base = segments_.begin()->first;
  uint64_t end = std::prev(segments_.end())->second->End();
  uint64_t log_first = segments_.begin()->second->first_index.load();
  RMQ_ASSIGN_OR_RETURN(std::optional<LogCheckpoint> checkpoint, ReadLogCheckpoint(fs_, options_.dir));
  if (checkpoint && checkpoint->position >= first_base && checkpoint->position <= end &&
      checkpoint->next_index > Index(0)) {
    checkpoint_ = *checkpoint;
    Index needed_from = log_first != 0 ? Index(log_first) : checkpoint->next_index;
    bool nothing_needed = checkpoint->next_index <= needed_from;
    bool index_covers = !index_->Empty() && index_->FirstIndex() <= needed_from &&
                        index_->LastIndex() + 1 >= checkpoint->next_index;
    if (nothing_needed || index_covers) return *checkpoint;
    spdlog::warn("commit log {}: entry index is behind the checkpoint (needs up to {}); rebuilding it from the log",
                 options_.dir, checkpoint->next_index.value() - 1);
  } else if (checkpoint) {
    spdlog::warn("commit log {}: checkpoint at position {} lies outside the log [{}, {}]; scanning it all",
                 options_.dir, checkpoint->position, first_base, end);
  }
  RMQ_RETURN_IF_ERROR(index_->Reset());
  return LogCheckpoint{.position = first_base, .next_index = Index(0)};
}

Status CommitLog::ScanFrom(LogCheckpoint start) {
  uint64_t expected = start.next_index.value();
  if (expected > 0) RMQ_RETURN_IF_ERROR(index_->TruncateAfter(Index(expected - 1)));
  uint64_t last = expected > 0 ? expected - 1 : 0;
  auto it = std::prev(segments_.upper_bound(start.position));
  for (; it != segments_.end(); ++it) {
    LogSegment& segment = *it->second;
    bool newest = std::next(it) == segments_.end();
    uint64_t from = std::max(start.position, segment.base) - segment.base;
    SegmentScanner scanner(segment.reader.get(), from, segment.size_bytes.load(), options_.read_chunk_bytes);
    RecordCheck check = RecordCheck::kOk;
    uint64_t record_offset = scanner.offset();  // where the record being checked starts
    while (!scanner.AtEnd()) {
      ParsedRecord record;
      record_offset = scanner.offset();
      RMQ_ASSIGN_OR_RETURN(check, scanner.Next(&record));
      if (check == RecordCheck::kOk && expected != 0 && record.index.value() != expected) {
        check = RecordCheck::kOutOfSequence;
      }
      if (check != RecordCheck::kOk) break;
      uint64_t payload_position = segment.base + scanner.offset() - record.body.size();
      RMQ_RETURN_IF_ERROR(index_->Append(record.index, EntryLocation{.payload_position = payload_position,
                                                                     .payload_size = static_cast<uint32_t>(record.body.size()),
                                                                     .term = record.term}));
      if (segment.first_index.load() == 0 || scanner.offset() == record.record_bytes) {
        segment.first_index.store(record.index.value());
      }
      last = record.index.value();
      expected = last + 1;
    }
    // An out-of-sequence record was read whole, so the scanner may stand at the end after it.
    if (check == RecordCheck::kOk) continue;
    if (!newest) return CorruptionAt(segment, record_offset, check, "it lies in a closed segment");
    RMQ_RETURN_IF_ERROR(CheckTornTail(segment, record_offset, check));
    RMQ_RETURN_IF_ERROR(CutTail(segment, record_offset, RecordCheckName(check)));
  }
  uint64_t log_first = segments_.begin()->second->first_index.load();
  uint64_t first = log_first != 0 ? log_first : (expected != 0 ? expected : 1);
  first_index_.store(first);
  last_index_.store(log_first != 0 ? last : first - 1);
  RMQ_ASSERT(last_index_.load() + 1 >= first_index_.load());
  return Status::Ok();
}

// A bad record is a torn tail only when no sound record follows it: a sound record cannot
// follow an unfinished one (appends are in order), so it is damage, and the records after it
// may have been acknowledged.
Status CommitLog::CheckTornTail(const LogSegment& segment, uint64_t bad_offset, RecordCheck check) {
  if (check == RecordCheck::kOutOfSequence) return CorruptionAt(segment, bad_offset, check, "the record itself is sound");
  RMQ_ASSIGN_OR_RETURN(std::optional<uint64_t> sound, FindSoundRecordAfter(segment.reader.get(), bad_offset,
                                                                           segment.size_bytes.load(),
                                                                           options_.read_chunk_bytes));
  if (!sound) return Status::Ok();
  return CorruptionAt(segment, bad_offset, check,
                      "a sound record follows it at position " + std::to_string(segment.base + *sound));
}

Status CommitLog::CorruptionAt(const LogSegment& segment, uint64_t bad_offset, RecordCheck check,
                               const std::string& why_not_torn) const {
  return Status::Corruption(
      "commit log: corrupt record in segment " + segment.path + " at position " +
      std::to_string(segment.base + bad_offset) + " (offset " + std::to_string(bad_offset) + ": " +
      std::string(RecordCheckName(check)) + "); not a torn tail because " + why_not_torn +
      ", so records after it may have been acknowledged and recovery will not cut them. To recover: stop this node, "
      "delete its whole data directory (the parent of " + options_.dir + ") and start it again; it rejoins empty "
      "and the leader sends it the log");
}

Status CommitLog::CutTail(LogSegment& segment, uint64_t valid_bytes, std::string_view reason) {
  uint64_t size_bytes = segment.size_bytes.load();
  RMQ_ASSERT(valid_bytes < size_bytes);
  spdlog::warn("commit log: cutting the torn tail of segment {}: {} bytes from position {} (offset {}), no sound "
               "record among them: {}", segment.path, size_bytes - valid_bytes, segment.base + valid_bytes,
               valid_bytes, reason);
  RMQ_RETURN_IF_ERROR(fs_->Truncate(segment.path, valid_bytes));
  segment.size_bytes.store(valid_bytes);
  if (valid_bytes == 0) segment.first_index.store(0);
  return Status::Ok();
}

Status CommitLog::OpenActiveSegment() {
  active_ = std::prev(segments_.end())->second;
  RMQ_ASSIGN_OR_RETURN(active_writer_, fs_->OpenAppendable(active_->path));
  durable_position_ = 0;  // the first flush syncs whatever recovery saw or cut
  return Status::Ok();
}

}  // namespace raftmq::storage
