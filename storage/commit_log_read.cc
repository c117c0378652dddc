// CommitLog's reader side: safe from any thread, concurrently with the writer (see the
// threading note in commit_log.h).
#include <algorithm>

#include "storage/commit_log.h"

namespace raftmq::storage {

namespace format = commit_log_format;

namespace {
// Entries reads at least this much per pread, so small requests do not read a megabyte.
constexpr uint64_t kEntriesReadBytesMin = 4096;

Status OutOfRange(Index index, uint64_t first, uint64_t last) {
  return Status::NotFound("commit log: entry " + std::to_string(index.value()) + " is outside [" +
                          std::to_string(first) + ", " + std::to_string(last) + "]");
}
}  // namespace

std::shared_ptr<LogSegment> CommitLog::SegmentAt(uint64_t position) const {
  std::shared_lock lock(segments_mu_);
  auto it = segments_.upper_bound(position);
  if (it == segments_.begin()) return nullptr;
  return std::prev(it)->second;
}

Result<EntryLocation> CommitLog::Locate(Index index) const {
  uint64_t last = last_index_.load(std::memory_order_acquire);
  uint64_t first = first_index_.load(std::memory_order_acquire);
  if (index.value() < first || index.value() > last) return OutOfRange(index, first, last);
  return index_->Get(index);
}

Result<Term> CommitLog::TermAt(Index index) const {
  if (index.value() + 1 == first_index_.load(std::memory_order_acquire)) {
    if (index == Index(0)) return Term(0);
    std::shared_lock lock(segments_mu_);
    if (snapshot_ && snapshot_->index == index) return snapshot_->term;
  }
  RMQ_ASSIGN_OR_RETURN(EntryLocation location, Locate(index));
  return location.term;
}

Result<std::vector<LogEntry>> CommitLog::Entries(Index from, Index to, uint64_t bytes_max) const {
  uint64_t last = last_index_.load(std::memory_order_acquire);
  RMQ_ASSIGN_OR_RETURN(EntryLocation location, Locate(from));
  to = std::min(to, Index(last + 1));
  std::vector<LogEntry> entries;
  uint64_t bytes = 0;
  Index next = from;
  uint64_t position = location.payload_position - format::kHeaderBytes;
  uint64_t chunk_bytes = std::clamp<uint64_t>(bytes_max, kEntriesReadBytesMin, options_.read_chunk_bytes);
  while (next < to) {
    std::shared_ptr<LogSegment> segment = SegmentAt(position);
    if (segment == nullptr) return Status::NotFound("commit log: position " + std::to_string(position) + " was deleted");
    uint64_t end = segment->End();
    if (position >= end) return Status::NotFound("commit log: entry " + std::to_string(next.value()) + " is gone");
    SegmentScanner scanner(segment->reader.get(), position - segment->base, end - segment->base, chunk_bytes);
    while (next < to && !scanner.AtEnd()) {
      ParsedRecord record;
      RMQ_ASSIGN_OR_RETURN(RecordCheck check, scanner.Next(&record));
      if (check == RecordCheck::kOk && record.index != next) check = RecordCheck::kOutOfSequence;
      if (check != RecordCheck::kOk) {
        return Status::Corruption("commit log: entry " + std::to_string(next.value()) + " at position " +
                                  std::to_string(segment->base + scanner.offset()) + ": " +
                                  std::string(RecordCheckName(check)));
      }
      if (!entries.empty() && bytes + record.body.size() > bytes_max) return entries;
      entries.push_back(LogEntry{.index = record.index, .term = record.term, .kind = record.kind,
                                 .payload = std::string(record.body)});
      bytes += record.body.size();
      ++next;
    }
    position = segment->base + scanner.offset();
  }
  RMQ_ASSERT(!entries.empty() || from >= to);
  return entries;
}

Result<std::string> CommitLog::ReadAt(uint64_t position, uint32_t size) const {
  std::shared_ptr<LogSegment> segment = SegmentAt(position);
  if (segment == nullptr) return Status::NotFound("commit log: position " + std::to_string(position) + " was deleted");
  if (position + size > segment->End()) {
    return Status::InvalidArgument("commit log: range [" + std::to_string(position) + ", " +
                                   std::to_string(position + size) + ") crosses the end of segment " + segment->path);
  }
  std::string bytes(size, '\0');
  RMQ_ASSIGN_OR_RETURN(std::string_view got, segment->reader->Read(position - segment->base, size, bytes.data()));
  if (got.size() != size) return Status::NotFound("commit log: range at " + std::to_string(position) + " was cut");
  return bytes;
}

}  // namespace raftmq::storage
