#include "storage/consume_queue.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <mutex>

#include "common/assert.h"
#include "storage/consume_queue_format.h"
#include "storage/little_endian.h"

namespace raftmq::storage {

namespace queue_format = consume_queue_format;

namespace {

// Entries one stack buffer holds when a read needs no heap scratch (a Get, a small Pull).
constexpr size_t kStackReadEntries = 32;

void EncodeEntry(const ConsumeQueueEntry& entry, char* target) {
  StoreLittleEndian(target + queue_format::kPositionOffset, entry.commit_log_position);
  StoreLittleEndian(target + queue_format::kSizeOffset, entry.size);
  StoreLittleEndian(target + queue_format::kTagHashOffset, entry.tag_hash);
}

ConsumeQueueEntry DecodeEntry(const char* source) {
  return ConsumeQueueEntry{LoadLittleEndian<uint64_t>(source + queue_format::kPositionOffset),
                           LoadLittleEndian<uint32_t>(source + queue_format::kSizeOffset),
                           LoadLittleEndian<uint64_t>(source + queue_format::kTagHashOffset)};
}

// The first offset named by `name`, or nothing when it is not a queue file's name.
bool ParseFileName(const std::string& name, uint64_t* first_offset) {
  if (name.size() != queue_format::kFileNameDigits) return false;
  if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), *first_offset);
  return error == std::errc() && end == name.data() + name.size();
}

}  // namespace

uint64_t TagHash(std::string_view tag) {
  if (tag.empty()) return 0;
  uint64_t hash = queue_format::kFnvOffsetBasis;
  for (char c : tag) {
    hash ^= static_cast<uint8_t>(c);
    hash *= queue_format::kFnvPrime;
  }
  return hash == 0 ? 1 : hash;
}

ConsumeQueue::ConsumeQueue(Fs* fs, std::string dir, const ConsumeQueueOptions& options)
    : fs_(fs), dir_(std::move(dir)), entries_per_file_(options.entries_per_file),
      read_entries_max_(options.read_entries_max) {
  RMQ_ASSERT(entries_per_file_ > 0);
  RMQ_ASSERT(read_entries_max_ > 0);
}

ConsumeQueue::~ConsumeQueue() = default;  // unsynced entries are rebuilt by recovery

Result<std::unique_ptr<ConsumeQueue>> ConsumeQueue::Open(Fs* fs, std::string dir, const ConsumeQueueOptions& options) {
  std::unique_ptr<ConsumeQueue> queue(new ConsumeQueue(fs, std::move(dir), options));
  RMQ_RETURN_IF_ERROR(queue->Load().WithContext("consume queue " + queue->dir_));
  return queue;
}

std::string ConsumeQueue::PathOf(uint64_t first_offset) const {
  char name[queue_format::kFileNameDigits + 1];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(first_offset));
  return dir_ + "/" + name;
}

Status ConsumeQueue::AddFile(uint64_t first_offset) {
  File file{first_offset, PathOf(first_offset), nullptr};
  RMQ_ASSIGN_OR_RETURN(file.reader, fs_->OpenReadable(file.path));
  std::unique_lock lock(files_mutex_);
  files_.push_back(std::move(file));
  return Status::Ok();
}

// Keeps the contiguous run of files from the first one; a gap or a short file ends the run
// (what follows it cannot be trusted), and the rest is removed.
Status ConsumeQueue::Load() {
  RMQ_RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  std::vector<uint64_t> firsts;
  for (const std::string& name : names) {
    uint64_t first = 0;
    if (ParseFileName(name, &first)) firsts.push_back(first);
  }
  std::sort(firsts.begin(), firsts.end());
  const uint64_t full_file_bytes = entries_per_file_ * queue_format::kEntrySize;
  size_t kept = 0;
  uint64_t last_size = 0;
  for (; kept < firsts.size(); ++kept) {
    if (kept > 0 && (firsts[kept] != firsts[kept - 1] + entries_per_file_ || last_size != full_file_bytes)) break;
    RMQ_ASSIGN_OR_RETURN(last_size, fs_->FileSize(PathOf(firsts[kept])));
    if (last_size > full_file_bytes) {
      return Status::Corruption(PathOf(firsts[kept]) + " holds more than entries_per_file entries");
    }
  }
  for (size_t i = kept; i < firsts.size(); ++i) {
    spdlog::warn("consume queue {}: removing {} after a gap or short file", dir_, PathOf(firsts[i]));
    RMQ_RETURN_IF_ERROR(fs_->RemoveFile(PathOf(firsts[i])));
    dir_unsynced_ = true;
  }
  if (kept == 0) return Status::Ok();
  for (size_t i = 0; i < kept; ++i) RMQ_RETURN_IF_ERROR(AddFile(firsts[i]));
  RMQ_ASSIGN_OR_RETURN(writer_, fs_->OpenAppendable(files_.back().path));
  min_offset_.store(firsts.front(), std::memory_order_release);
  max_offset_.store(firsts[kept - 1] + last_size / queue_format::kEntrySize, std::memory_order_release);
  return CutTornTail();
}

// A crash may leave a partial last entry or zero-filled entries (file size extended before the
// data landed); a written entry never has size 0, so trailing zero sizes are torn too.
Status ConsumeQueue::CutTornTail() {
  const File& last = files_.back();
  RMQ_ASSIGN_OR_RETURN(uint64_t size_bytes, fs_->FileSize(last.path));
  uint64_t end = MaxOffset();
  while (end > last.first_offset) {
    RMQ_ASSIGN_OR_RETURN(std::vector<ConsumeQueueEntry> entry, ReadInFile(end - 1, 1));
    if (entry.front().size != 0) break;
    --end;
  }
  if ((end - last.first_offset) * queue_format::kEntrySize == size_bytes) return Status::Ok();
  spdlog::warn("consume queue {}: cutting torn tail of {} at offset {} ({} bytes)", dir_, last.path, end, size_bytes);
  return CutFilesAt(end);
}

Status ConsumeQueue::StartNextFile() {
  const uint64_t first = files_.empty() ? MaxOffset() : FileEnd(files_.back());
  RMQ_ASSERT(first == MaxOffset());
  if (writer_ != nullptr) {
    // A full file is synced before its successor exists, so a crash never keeps a later file
    // while losing the tail of an earlier one.
    RMQ_RETURN_IF_ERROR(writer_->Sync());
    writer_.reset();
  }
  RMQ_ASSIGN_OR_RETURN(writer_, fs_->OpenAppendable(PathOf(first)));  // creates the file
  RMQ_RETURN_IF_ERROR(AddFile(first));
  dir_unsynced_ = true;
  return Status::Ok();
}

Status ConsumeQueue::AppendToFiles(std::span<const ConsumeQueueEntry> entries) {
  while (!entries.empty()) {
    if (files_.empty() || MaxOffset() == FileEnd(files_.back())) RMQ_RETURN_IF_ERROR(StartNextFile());
    const uint64_t max = MaxOffset();
    const size_t count = std::min<uint64_t>(entries.size(), FileEnd(files_.back()) - max);
    RMQ_ASSERT(count > 0);
    encode_buffer_.resize(count * queue_format::kEntrySize);
    for (size_t i = 0; i < count; ++i) EncodeEntry(entries[i], encode_buffer_.data() + i * queue_format::kEntrySize);
    unsynced_ = true;
    RMQ_RETURN_IF_ERROR(writer_->Append(encode_buffer_));
    max_offset_.store(max + count, std::memory_order_release);  // publish only written bytes
    entries = entries.subspan(count);
  }
  return Status::Ok();
}

Status ConsumeQueue::Append(uint64_t first_offset, std::span<const ConsumeQueueEntry> entries) {
  if (!write_error_.ok()) {
    // The failed append may have left part of an entry in the file: cut it back to the last
    // entry published, then try (the cause, a full disk, may be gone). Without this a node
    // whose disk filled up would refuse every later dispatch until it restarted.
    if (files_.empty()) {
      write_error_ = Status::Ok();
    } else {
      RMQ_RETURN_IF_ERROR(CutFilesAt(MaxOffset()).WithContext("repair " + dir_ + " after a failed append"));
    }
  }
  if (first_offset != MaxOffset()) {
    return Status::InvalidArgument("append at offset " + std::to_string(first_offset) + " of " + dir_ +
                                   ", expected " + std::to_string(MaxOffset()));
  }
  for (const ConsumeQueueEntry& entry : entries) RMQ_ASSERT(entry.size != 0);  // 0 marks a torn entry
  Status status = AppendToFiles(entries);
  if (!status.ok()) write_error_ = status;
  return status;
}

std::optional<ConsumeQueueSync> ConsumeQueue::TakeUnsynced() {
  const bool file_unsynced = unsynced_ && writer_ != nullptr;
  if (!file_unsynced && !dir_unsynced_) return std::nullopt;
  ConsumeQueueSync sync{.fs = fs_, .file = file_unsynced ? writer_ : nullptr, .dir = dir_, .sync_dir = dir_unsynced_};
  unsynced_ = false;
  dir_unsynced_ = false;
  return sync;
}

Status ConsumeQueueSync::Run() const {
  RMQ_ASSERT(fs != nullptr);
  if (file != nullptr) RMQ_RETURN_IF_ERROR(file->Sync().WithContext(dir));
  if (sync_dir) RMQ_RETURN_IF_ERROR(fs->SyncDir(dir));
  return Status::Ok();
}

Status ConsumeQueue::Sync() {
  std::optional<ConsumeQueueSync> sync = TakeUnsynced();
  return sync ? sync->Run() : Status::Ok();
}

Status ConsumeQueue::TruncateFrom(uint64_t offset) {
  if (offset < MinOffset() || offset > MaxOffset()) {
    return Status::InvalidArgument("truncate " + dir_ + " at " + std::to_string(offset) + " outside [" +
                                   std::to_string(MinOffset()) + ", " + std::to_string(MaxOffset()) + "]");
  }
  if (files_.empty() || (offset == MaxOffset() && write_error_.ok())) return Status::Ok();
  return CutFilesAt(offset);
}

// Makes the files end exactly at `offset`, whatever bytes they hold beyond it.
Status ConsumeQueue::CutFilesAt(uint64_t offset) {
  RMQ_ASSERT(!files_.empty());
  std::unique_lock lock(files_mutex_);
  max_offset_.store(offset, std::memory_order_release);
  writer_.reset();  // the truncation below decides the bytes kept
  const size_t keep = std::min<size_t>((offset - files_.front().first_offset) / entries_per_file_, files_.size() - 1);
  while (files_.size() > keep + 1) {
    RMQ_RETURN_IF_ERROR(fs_->RemoveFile(files_.back().path));
    files_.pop_back();
  }
  const File& last = files_.back();
  RMQ_ASSERT(offset >= last.first_offset);
  RMQ_ASSERT(offset <= FileEnd(last));
  RMQ_RETURN_IF_ERROR(fs_->Truncate(last.path, (offset - last.first_offset) * queue_format::kEntrySize));
  RMQ_ASSIGN_OR_RETURN(writer_, fs_->OpenAppendable(last.path));
  unsynced_ = true;
  dir_unsynced_ = true;
  write_error_ = Status::Ok();
  return Status::Ok();
}

Result<size_t> ConsumeQueue::DeleteBefore(uint64_t commit_log_position) {
  size_t removed = 0;
  while (files_.size() > 1) {
    RMQ_ASSIGN_OR_RETURN(ConsumeQueueEntry last_entry, Get(FileEnd(files_.front()) - 1));
    if (last_entry.commit_log_position >= commit_log_position) break;
    std::string path;
    {
      std::unique_lock lock(files_mutex_);
      path = std::move(files_.front().path);
      files_.erase(files_.begin());
      min_offset_.store(std::max(MinOffset(), files_.front().first_offset), std::memory_order_release);
    }
    RMQ_RETURN_IF_ERROR(fs_->RemoveFile(path));
    dir_unsynced_ = true;
    ++removed;
  }
  // The entries left before the position (in the first file kept) point at deleted messages:
  // the queue starts after them, as RocketMQ's correctMinOffset does. Not stored: the owner
  // calls this again after a restart (it is idempotent).
  RMQ_ASSIGN_OR_RETURN(uint64_t first_kept, FirstOffsetAtOrAfter(commit_log_position));
  if (first_kept > MinOffset()) {
    std::unique_lock lock(files_mutex_);
    min_offset_.store(first_kept, std::memory_order_release);
  }
  RMQ_ASSERT(MinOffset() <= MaxOffset());
  return removed;
}

Status ConsumeQueue::ResetTo(uint64_t offset) {
  std::vector<File> removed;
  {
    std::unique_lock lock(files_mutex_);
    removed.swap(files_);
    min_offset_.store(offset, std::memory_order_release);
    max_offset_.store(offset, std::memory_order_release);
    writer_.reset();
  }
  write_error_ = Status::Ok();
  unsynced_ = false;
  dir_unsynced_ = true;
  for (const File& file : removed) RMQ_RETURN_IF_ERROR(fs_->RemoveFile(file.path));
  Status started = StartNextFile();
  if (!started.ok()) write_error_ = started;  // no file to append to until a reopen
  RMQ_ASSERT(MinOffset() == offset && MaxOffset() == offset);
  return started;
}

Result<uint64_t> ConsumeQueue::FirstOffsetAtOrAfter(uint64_t commit_log_position) const {
  uint64_t low = MinOffset();
  uint64_t high = MaxOffset();
  while (low < high) {  // positions increase with offsets: binary search
    const uint64_t middle = low + (high - low) / 2;
    RMQ_ASSIGN_OR_RETURN(ConsumeQueueEntry entry, Get(middle));
    if (entry.commit_log_position < commit_log_position) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

const ConsumeQueue::File& ConsumeQueue::FileOf(uint64_t offset) const {
  RMQ_ASSERT(!files_.empty());
  const size_t index = (offset - files_.front().first_offset) / entries_per_file_;
  RMQ_ASSERT(index < files_.size());
  return files_[index];
}

Result<std::string_view> ConsumeQueue::ReadBytes(uint64_t offset, size_t count, char* scratch) const {
  const File& file = FileOf(offset);
  RMQ_ASSERT(offset + count <= FileEnd(file));
  const size_t bytes = count * queue_format::kEntrySize;
  RMQ_ASSIGN_OR_RETURN(std::string_view data,
                       file.reader->Read((offset - file.first_offset) * queue_format::kEntrySize, bytes, scratch));
  if (data.size() != bytes) {
    return Status::IoError(file.path + ": short read of " + std::to_string(data.size()) + " bytes at offset " +
                           std::to_string(offset));
  }
  return data;
}

Result<std::vector<ConsumeQueueEntry>> ConsumeQueue::ReadInFile(uint64_t offset, size_t count) const {
  char stack_scratch[kStackReadEntries * queue_format::kEntrySize];
  std::string heap_scratch;
  char* scratch = stack_scratch;
  if (count > kStackReadEntries) {
    heap_scratch.resize(count * queue_format::kEntrySize);
    scratch = heap_scratch.data();
  }
  RMQ_ASSIGN_OR_RETURN(std::string_view data, ReadBytes(offset, count, scratch));
  std::vector<ConsumeQueueEntry> entries;
  entries.reserve(count);
  for (size_t i = 0; i < count; ++i) entries.push_back(DecodeEntry(data.data() + i * queue_format::kEntrySize));
  return entries;
}

Result<ConsumeQueueEntry> ConsumeQueue::Get(uint64_t offset) const {
  std::shared_lock lock(files_mutex_);
  if (offset < MinOffset() || offset >= MaxOffset()) {
    return Status::NotFound("offset " + std::to_string(offset) + " outside " + dir_ + " [" +
                            std::to_string(MinOffset()) + ", " + std::to_string(MaxOffset()) + ")");
  }
  char scratch[queue_format::kEntrySize];
  RMQ_ASSIGN_OR_RETURN(std::string_view data, ReadBytes(offset, 1, scratch));
  return DecodeEntry(data.data());
}

Result<std::vector<ConsumeQueueEntry>> ConsumeQueue::Read(uint64_t from, size_t count_max) const {
  std::shared_lock lock(files_mutex_);
  const uint64_t max = MaxOffset();
  if (from < MinOffset() || from > max) {
    return Status::NotFound("offset " + std::to_string(from) + " outside " + dir_);
  }
  const uint64_t end = from + std::min<uint64_t>({count_max, read_entries_max_, max - from});
  std::vector<ConsumeQueueEntry> entries;
  for (uint64_t offset = from; offset < end;) {
    const uint64_t chunk_end = std::min(end, FileEnd(FileOf(offset)));
    RMQ_ASSIGN_OR_RETURN(std::vector<ConsumeQueueEntry> chunk, ReadInFile(offset, chunk_end - offset));
    entries.insert(entries.end(), chunk.begin(), chunk.end());
    offset = chunk_end;
  }
  return entries;
}

}  // namespace raftmq::storage
