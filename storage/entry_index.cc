#include "storage/entry_index.h"

#include <spdlog/spdlog.h>

#include <iterator>
#include <vector>

#include "storage/crc32c.h"
#include "storage/log_record.h"
#include "storage/log_segment.h"

namespace raftmq::storage {
namespace {

constexpr size_t kPositionOffset = 0;
constexpr size_t kSizeOffset = 8;
constexpr size_t kTermOffset = 12;
constexpr size_t kCrcOffset = 20;
static_assert(kSizeOffset == kPositionOffset + sizeof(uint64_t));
static_assert(kTermOffset == kSizeOffset + sizeof(uint32_t));
static_assert(kCrcOffset == kTermOffset + sizeof(uint64_t));
static_assert(EntryIndex::kRecordBytes == kCrcOffset + sizeof(uint32_t));

void EncodeLocation(const EntryLocation& location, std::string* out) {
  char bytes[EntryIndex::kRecordBytes];
  PutFixed64(bytes + kPositionOffset, location.payload_position);
  PutFixed32(bytes + kSizeOffset, location.payload_size);
  PutFixed64(bytes + kTermOffset, location.term.value());
  PutFixed32(bytes + kCrcOffset, crc32c::Mask(crc32c::Value(bytes, kCrcOffset)));
  out->append(bytes, sizeof(bytes));
}

bool DecodeLocation(const char* bytes, EntryLocation* location) {
  if (GetFixed32(bytes + kCrcOffset) != crc32c::Mask(crc32c::Value(bytes, kCrcOffset))) return false;
  location->payload_position = GetFixed64(bytes + kPositionOffset);
  location->payload_size = GetFixed32(bytes + kSizeOffset);
  location->term = Term(GetFixed64(bytes + kTermOffset));
  return true;
}

}  // namespace

Result<std::unique_ptr<EntryIndex>> EntryIndex::Open(Fs* fs, EntryIndexOptions options) {
  if (options.entries_per_file == 0) return Status::InvalidArgument("entry index: entries_per_file must be > 0");
  std::unique_ptr<EntryIndex> index(new EntryIndex(fs, std::move(options)));
  RMQ_RETURN_IF_ERROR(index->LoadFiles());
  return index;
}

std::string EntryIndex::PathOf(uint64_t first) const { return options_.dir + "/" + SegmentFileName(first); }

Status EntryIndex::LoadFiles() {
  RMQ_RETURN_IF_ERROR(fs_->CreateDirs(options_.dir));
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(options_.dir));
  std::map<uint64_t, uint64_t> sizes;  // first index -> bytes
  for (const std::string& name : names) {
    uint64_t first = 0;
    if (!ParseSegmentFileName(name, &first)) continue;
    RMQ_ASSIGN_OR_RETURN(sizes[first], fs_->FileSize(PathOf(first)));
  }
  // Keep the longest run of whole, contiguous files; a torn file ends the run.
  uint64_t expected_first = 0;
  bool run_ended = false;
  for (auto [first, size_bytes] : sizes) {
    bool whole = size_bytes % kRecordBytes == 0 && size_bytes > 0;
    if (run_ended || (expected_first != 0 && first != expected_first) || first == 0) {
      spdlog::warn("entry index: dropping {} (not contiguous with the files before it)", PathOf(first));
      RMQ_RETURN_IF_ERROR(fs_->RemoveFile(PathOf(first)));
      continue;
    }
    RMQ_ASSIGN_OR_RETURN(auto reader, fs_->OpenReadable(PathOf(first)));
    files_[first] = IndexFile{.reader = std::move(reader), .records = size_bytes / kRecordBytes};
    expected_first = first + size_bytes / kRecordBytes;
    if (!whole) run_ended = true;
  }
  if (files_.empty()) return Status::Ok();
  auto last = std::prev(files_.end());
  return LoadLastFile(last->first, sizes[last->first]);
}

// Verifies every record of the last file (the only one a crash can tear) and cuts it at the
// first bad one.
Status EntryIndex::LoadLastFile(uint64_t first, uint64_t size_bytes) {
  IndexFile& file = files_[first];
  std::string bytes(size_bytes, '\0');
  RMQ_ASSIGN_OR_RETURN(std::string_view got, file.reader->Read(0, size_bytes, bytes.data()));
  uint64_t valid = 0;
  EntryLocation location;
  while ((valid + 1) * kRecordBytes <= got.size() && DecodeLocation(got.data() + valid * kRecordBytes, &location)) {
    ++valid;
  }
  if (valid * kRecordBytes != size_bytes) {
    spdlog::warn("entry index: cut {} at record {} ({} bytes): torn or corrupt tail", PathOf(first), valid,
                 size_bytes - valid * kRecordBytes);
    RMQ_RETURN_IF_ERROR(fs_->Truncate(PathOf(first), valid * kRecordBytes));
  }
  file.records = valid;
  if (valid == 0) {
    files_.erase(first);
    return fs_->RemoveFile(PathOf(first));
  }
  RMQ_ASSIGN_OR_RETURN(writer_, fs_->OpenAppendable(PathOf(first)));
  return Status::Ok();
}

bool EntryIndex::Empty() const {
  std::lock_guard lock(mu_);
  return files_.empty();
}

Index EntryIndex::FirstIndex() const {
  std::lock_guard lock(mu_);
  RMQ_ASSERT(!files_.empty());
  return Index(files_.begin()->first);
}

Index EntryIndex::LastIndex() const {
  std::lock_guard lock(mu_);
  RMQ_ASSERT(!files_.empty());
  return Index(LastLocked());
}

uint64_t EntryIndex::LastLocked() const {
  auto last = std::prev(files_.end());
  return last->first + last->second.records + buffered_records_ - 1;
}

Status EntryIndex::Append(Index index, const EntryLocation& location) {
  std::lock_guard lock(mu_);
  RMQ_ASSERT(index > Index(0));
  RMQ_ASSERT(files_.empty() || index.value() == LastLocked() + 1);
  if (files_.empty() || (index.value() - 1) % options_.entries_per_file == 0) {
    RMQ_RETURN_IF_ERROR(OpenFileLocked(index.value()));
  }
  EncodeLocation(location, &buffer_);
  ++buffered_records_;
  dirty_ = true;
  if (buffer_.size() >= options_.buffer_bytes_max) return FlushLocked();
  return Status::Ok();
}

// Starts the file for `first`; the previous one is complete, so it is made durable now.
Status EntryIndex::OpenFileLocked(uint64_t first) {
  RMQ_RETURN_IF_ERROR(FlushLocked());
  if (writer_) {
    RMQ_RETURN_IF_ERROR(writer_->Sync());
    RMQ_RETURN_IF_ERROR(writer_->Close());
  }
  std::string path = PathOf(first);
  if (fs_->Exists(path)) RMQ_RETURN_IF_ERROR(fs_->RemoveFile(path));  // left by a lost run
  RMQ_ASSIGN_OR_RETURN(writer_, fs_->OpenAppendable(path));
  RMQ_ASSIGN_OR_RETURN(auto reader, fs_->OpenReadable(path));
  files_[first] = IndexFile{.reader = std::move(reader), .records = 0};
  return Status::Ok();
}

Status EntryIndex::FlushLocked() {
  if (buffer_.empty()) return Status::Ok();
  RMQ_ASSERT(writer_ != nullptr);
  auto last = std::prev(files_.end());
  Status status = writer_->Append(buffer_);
  if (!status.ok()) {
    // Cut a partial write back so the file keeps whole records; the buffer stays for a retry.
    Status cut = fs_->Truncate(PathOf(last->first), last->second.records * kRecordBytes);
    return cut.ok() ? status : cut;
  }
  last->second.records += buffered_records_;
  buffered_records_ = 0;
  buffer_.clear();
  return Status::Ok();
}

Result<EntryLocation> EntryIndex::Get(Index index) const {
  char bytes[kRecordBytes];
  std::shared_ptr<RandomAccessFile> reader;
  uint64_t offset = 0;
  {
    std::lock_guard lock(mu_);
    if (files_.empty() || index.value() < files_.begin()->first || index.value() > LastLocked()) {
      return Status::NotFound("entry index: no entry " + std::to_string(index.value()));
    }
    auto it = std::prev(files_.upper_bound(index.value()));
    uint64_t record = index.value() - it->first;
    if (record >= it->second.records) {
      RMQ_ASSERT(std::next(it) == files_.end());
      std::memcpy(bytes, buffer_.data() + (record - it->second.records) * kRecordBytes, kRecordBytes);
    } else {
      reader = it->second.reader;
      offset = record * kRecordBytes;
    }
  }
  if (reader) {
    RMQ_ASSIGN_OR_RETURN(std::string_view got, reader->Read(offset, kRecordBytes, bytes));
    if (got.size() != kRecordBytes) return Status::NotFound("entry index: record " + std::to_string(index.value()) + " is gone");
  }
  EntryLocation location;
  if (!DecodeLocation(bytes, &location)) {
    return Status::Corruption("entry index: record " + std::to_string(index.value()) + " fails its CRC");
  }
  return location;
}

Status EntryIndex::TruncateAfter(Index last_kept) {
  std::lock_guard lock(mu_);
  if (files_.empty() || last_kept.value() >= LastLocked()) return Status::Ok();
  dirty_ = true;
  if (last_kept.value() < files_.begin()->first) {
    buffer_.clear();
    buffered_records_ = 0;
    writer_.reset();
    for (const auto& [first, file] : files_) RMQ_RETURN_IF_ERROR(fs_->RemoveFile(PathOf(first)));
    files_.clear();
    return Status::Ok();
  }
  if (std::prev(files_.end())->first > last_kept.value()) {
    buffer_.clear();
    buffered_records_ = 0;
    writer_.reset();
    while (std::prev(files_.end())->first > last_kept.value()) {
      RMQ_RETURN_IF_ERROR(fs_->RemoveFile(PathOf(std::prev(files_.end())->first)));
      files_.erase(std::prev(files_.end()));
    }
  }
  auto& [first, file] = *std::prev(files_.end());
  uint64_t keep = last_kept.value() - first + 1;
  if (keep > file.records) {
    buffered_records_ = keep - file.records;
    buffer_.resize(buffered_records_ * kRecordBytes);
    return Status::Ok();
  }
  buffer_.clear();
  buffered_records_ = 0;
  writer_.reset();
  RMQ_RETURN_IF_ERROR(fs_->Truncate(PathOf(first), keep * kRecordBytes));
  file.records = keep;
  RMQ_ASSIGN_OR_RETURN(writer_, fs_->OpenAppendable(PathOf(first)));
  return Status::Ok();
}

Status EntryIndex::TruncateBefore(Index first_kept) {
  std::lock_guard lock(mu_);
  while (files_.size() > 1 && std::next(files_.begin())->first <= first_kept.value()) {
    RMQ_RETURN_IF_ERROR(fs_->RemoveFile(PathOf(files_.begin()->first)));
    files_.erase(files_.begin());
    dirty_ = true;
  }
  return Status::Ok();
}

Status EntryIndex::Reset() {
  if (Empty()) return Status::Ok();
  return TruncateAfter(Index(0));
}

Status EntryIndex::Flush() {
  std::lock_guard lock(mu_);
  return FlushLocked();
}

Status EntryIndex::Sync() {
  std::shared_ptr<WritableFile> writer;
  {
    std::lock_guard lock(mu_);
    if (!dirty_) return Status::Ok();
    RMQ_RETURN_IF_ERROR(FlushLocked());
    writer = writer_;
    dirty_ = false;
  }
  // The fsyncs run unlocked so that appends and lookups go on meanwhile.
  Status status = writer ? writer->Sync() : Status::Ok();
  if (status.ok()) status = fs_->SyncDir(options_.dir);
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  return status;
}

}  // namespace raftmq::storage
