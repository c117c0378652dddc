#include "storage/commit_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace raftmq::storage {

namespace format = commit_log_format;

CommitLog::~CommitLog() {
  {
    std::lock_guard lock(flusher_mu_);
    flusher_stopping_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (active_ == nullptr) return;  // Open failed before recovery finished: nothing to flush
  Status status = Flush();
  if (!status.ok()) spdlog::error("commit log {}: final flush failed: {}", options_.dir, status.ToString());
}

std::string CommitLog::SegmentPath(uint64_t base) const { return options_.dir + "/" + SegmentFileName(base); }

Result<std::unique_ptr<RandomAccessFile>> CommitLog::OpenSegmentReader(uint64_t base) {
  return fs_->OpenReadable(SegmentPath(base));
}

Index CommitLog::FirstIndex() const { return Index(first_index_.load(std::memory_order_acquire)); }
Index CommitLog::LastIndex() const { return Index(last_index_.load(std::memory_order_acquire)); }
Index CommitLog::DurableIndex() const { return Index(durable_index_.load(std::memory_order_acquire)); }

uint64_t CommitLog::EndPosition() const {
  std::shared_lock lock(segments_mu_);
  return std::prev(segments_.end())->second->End();
}

size_t CommitLog::SegmentCount() const {
  std::shared_lock lock(segments_mu_);
  return segments_.size();
}

Status CommitLog::Append(std::span<const LogEntry> entries) {
  if (entries.empty()) return Status::Ok();
  std::lock_guard lock(write_mu_);
  RMQ_RETURN_IF_ERROR(poisoned_);
  RMQ_ASSERT_MSG(entries.front().index.value() == last_index_.load() + 1, "append must continue the log");
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].payload.size() > format::kBodyBytesMax) {
      return Status::InvalidArgument("commit log: payload of entry " + std::to_string(entries[i].index.value()) +
                                     " exceeds 4 GiB");
    }
    RMQ_ASSERT(i == 0 || entries[i].index == entries[i - 1].index + 1);
    RMQ_ASSERT(i == 0 || entries[i].term >= entries[i - 1].term);
  }
  encode_buffer_.clear();
  encoded_locations_.clear();
  record_crcs_.resize(entries.size());
  ComputeRecordCrcs(entries, record_crcs_.data());
  uint64_t segment_used = active_->size_bytes.load();
  for (size_t i = 0; i < entries.size(); ++i) {
    const LogEntry& entry = entries[i];
    uint64_t record_bytes = format::kHeaderBytes + entry.payload.size();
    uint64_t used = segment_used + encode_buffer_.size();
    if (used > 0 && used + record_bytes > options_.segment_size_bytes) {
      RMQ_RETURN_IF_ERROR(WriteBufferLocked());
      RMQ_RETURN_IF_ERROR(RollLocked());
      segment_used = 0;
    }
    uint64_t position = active_->base + segment_used + encode_buffer_.size();
    encoded_locations_.emplace_back(
        entry.index, EntryLocation{.payload_position = position + format::kHeaderBytes,
                                   .payload_size = static_cast<uint32_t>(entry.payload.size()),
                                   .term = entry.term});
    AppendRecord(entry, record_crcs_[i], &encode_buffer_);
  }
  return WriteBufferLocked();
}

// Writes the encoded records to the active segment with one call, then publishes them.
Status CommitLog::WriteBufferLocked() {
  if (encode_buffer_.empty()) return Status::Ok();
  uint64_t size_before = active_->size_bytes.load();
  uint64_t buffer_bytes = encode_buffer_.size();
  Status status = active_writer_->Append(encode_buffer_);
  encode_buffer_.clear();
  if (!status.ok()) {
    encoded_locations_.clear();
    // Cut what reached the file, so the segment ends on a record boundary again.
    Status cut = fs_->Truncate(active_->path, size_before);
    if (!cut.ok()) return PoisonLocked(cut.WithContext("cutting back a failed append"));
    spdlog::warn("commit log: append to {} failed ({}); cut it back to {} bytes", active_->path, status.ToString(),
                 size_before);
    return status;
  }
  Status indexed = index_->Append(encoded_locations_);
  if (!indexed.ok()) {
    encoded_locations_.clear();
    // A full disk may refuse the index file rather than the segment: take both back to before
    // this append, so the log stays as it was and a later append can succeed. Any other index
    // error, or a failed undo, leaves the two out of step: poisoned.
    Status undone = index_->TruncateAfter(Index(last_index_.load()));
    if (undone.ok()) undone = fs_->Truncate(active_->path, size_before);
    if (!undone.ok()) return PoisonLocked(undone.WithContext("undoing an append the entry index refused"));
    if (!indexed.IsNoSpace()) return PoisonLocked(indexed.WithContext("entry index"));
    spdlog::warn("commit log: entry index refused an append ({}); cut {} back to {} bytes", indexed.ToString(),
                 active_->path, size_before);
    return indexed;
  }
  if (active_->first_index.load() == 0) active_->first_index.store(encoded_locations_.front().first.value());
  const EntryLocation& last = encoded_locations_.back().second;
  uint64_t written = last.payload_position + last.payload_size - active_->base;
  RMQ_ASSERT(written == size_before + buffer_bytes);
  active_->size_bytes.store(written, std::memory_order_release);
  last_index_.store(encoded_locations_.back().first.value(), std::memory_order_release);
  encoded_locations_.clear();
  StartWritebackLocked();
  return Status::Ok();
}

// Asks for writeback of the active segment's bytes past writeback_position_ once they reach
// bytes_per_sync. A failure is only logged: the hint makes nothing durable, and the fsync
// that must follow reports (and poisons on) any real disk error.
void CommitLog::StartWritebackLocked() {
  uint64_t end = active_->End();
  // A roll or a truncation since the last hint: start over at the segment's first byte.
  if (writeback_position_ < active_->base || writeback_position_ > end) writeback_position_ = active_->base;
  if (options_.bytes_per_sync == 0 || end - writeback_position_ < options_.bytes_per_sync) return;
  Status status = active_writer_->StartWriteback(writeback_position_ - active_->base, end - writeback_position_);
  if (!status.ok()) spdlog::warn("commit log: {}", status.ToString());
  writeback_position_ = end;
}

// Closes the active segment (durably, so only the newest segment can ever be torn) and
// starts the next one at the position where it ends.
Status CommitLog::RollLocked() {
  RMQ_ASSERT(active_->size_bytes.load() > 0);
  Status synced = active_writer_->Sync();
  if (!synced.ok()) return PoisonLocked(synced);
  uint64_t base = active_->End();
  durable_position_ = base;
  durable_index_.store(last_index_.load(), std::memory_order_release);
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> writer, fs_->OpenAppendable(SegmentPath(base)));
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader, OpenSegmentReader(base));
  Status dir_synced = fs_->SyncDir(options_.dir);
  if (!dir_synced.ok()) return PoisonLocked(dir_synced);
  auto segment = std::make_shared<LogSegment>(base, SegmentPath(base), std::move(reader));
  {
    std::unique_lock segments_lock(segments_mu_);
    segments_[base] = segment;
  }
  // The old writer is not closed here: the flusher may still be syncing it.
  active_ = std::move(segment);
  active_writer_ = std::move(writer);
  return Status::Ok();
}

Status CommitLog::PoisonLocked(Status status) {
  RMQ_ASSERT(!status.ok());
  poisoned_ = status.WithContext("commit log " + options_.dir + " refuses writes until reopened");
  spdlog::error("{}", poisoned_.ToString());
  return poisoned_;
}

bool CommitLog::NeedsReopen() const {
  std::lock_guard lock(write_mu_);
  return !poisoned_.ok();
}

Status CommitLog::Sync() {
  std::lock_guard lock(write_mu_);
  RMQ_RETURN_IF_ERROR(poisoned_);
  if (options_.flush_policy == FlushPolicy::kAsync) return Status::Ok();
  uint64_t end = active_->End();
  if (durable_position_ < end) {  // else an earlier fsync covered it all
    Status synced = active_writer_->Sync();
    if (!synced.ok()) return PoisonLocked(synced);
    durable_position_ = end;
  }
  durable_index_.store(last_index_.load(), std::memory_order_release);
  return Status::Ok();
}

Status CommitLog::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  return FlushLocked();
}

// Syncs outside write_mu_ so appends go on meanwhile; flush_mu_ keeps truncation out.
Status CommitLog::FlushLocked() {
  std::shared_ptr<WritableFile> writer;
  uint64_t end = 0;
  uint64_t next_index = 0;
  bool segment_dirty = false;
  {
    std::lock_guard lock(write_mu_);
    RMQ_RETURN_IF_ERROR(poisoned_);
    writer = active_writer_;
    end = active_->End();
    next_index = last_index_.load() + 1;
    segment_dirty = durable_position_ < end;
  }
  Status synced = segment_dirty ? writer->Sync() : Status::Ok();
  {
    std::lock_guard lock(write_mu_);
    if (!synced.ok()) return PoisonLocked(synced);
    durable_position_ = std::max(durable_position_, end);
    durable_index_.store(std::max(durable_index_.load(), next_index - 1), std::memory_order_release);
  }
  RMQ_RETURN_IF_ERROR(index_->Sync());
  LogCheckpoint checkpoint{.position = end, .next_index = Index(next_index)};
  if (checkpoint == checkpoint_) return Status::Ok();
  RMQ_RETURN_IF_ERROR(WriteLogCheckpoint(fs_, options_.dir, checkpoint));
  checkpoint_ = checkpoint;
  return Status::Ok();
}

void CommitLog::FlusherLoop() {
  std::unique_lock lock(flusher_mu_);
  std::string last_error;
  while (!flusher_stopping_) {
    flusher_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms),
                         [this] { return flusher_stopping_; });
    if (flusher_stopping_) break;
    lock.unlock();
    Status status = Flush();
    if (!status.ok() && status.ToString() != last_error) {
      spdlog::error("commit log {}: background flush failed: {}", options_.dir, status.ToString());
    }
    last_error = status.ok() ? std::string() : status.ToString();
    lock.lock();
  }
}

}  // namespace raftmq::storage
