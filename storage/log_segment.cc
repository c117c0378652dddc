#include "storage/log_segment.h"

#include <algorithm>
#include <cstdio>

namespace raftmq::storage {

namespace format = commit_log_format;

std::string SegmentFileName(uint64_t base) {
  char name[format::kSegmentNameDigits + 1];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(base));
  return name;
}

bool ParseSegmentFileName(std::string_view name, uint64_t* base) {
  if (name.size() != format::kSegmentNameDigits) return false;
  uint64_t value = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *base = value;
  return true;
}

SegmentScanner::SegmentScanner(const RandomAccessFile* file, uint64_t offset, uint64_t end_offset,
                               size_t chunk_bytes)
    : file_(file), offset_(offset), end_offset_(end_offset), chunk_bytes_(chunk_bytes) {
  RMQ_ASSERT(offset_ <= end_offset_);
  RMQ_ASSERT(chunk_bytes_ >= format::kHeaderBytes);
}

Status SegmentScanner::Fill(uint64_t bytes_wanted) {
  uint64_t bytes = std::min<uint64_t>(std::max<uint64_t>(bytes_wanted, chunk_bytes_), end_offset_ - offset_);
  buffer_.resize(bytes);
  RMQ_ASSIGN_OR_RETURN(std::string_view got, file_->Read(offset_, bytes, buffer_.data()));
  buffered_ = std::string_view(buffer_.data(), got.size());
  return Status::Ok();
}

Result<RecordCheck> SegmentScanner::Next(ParsedRecord* record) {
  if (AtEnd()) return RecordCheck::kTruncated;
  if (buffered_.size() < format::kHeaderBytes) RMQ_RETURN_IF_ERROR(Fill(format::kHeaderBytes));
  if (buffered_.size() >= format::kHeaderBytes) {
    uint64_t claimed = RecordBytesClaimed(buffered_.data());
    // Only read a claimed size that fits the range: garbage sizes must not allocate.
    if (claimed > buffered_.size() && claimed <= end_offset_ - offset_) RMQ_RETURN_IF_ERROR(Fill(claimed));
  }
  RecordCheck check = ParseRecord(buffered_, record);
  if (check != RecordCheck::kOk) return check;
  RMQ_ASSERT(record->record_bytes <= buffered_.size());
  offset_ += record->record_bytes;
  buffered_.remove_prefix(record->record_bytes);
  return check;
}

}  // namespace raftmq::storage
