// LogSegment: one CommitLog segment file as the CommitLog keeps it in memory, and
// SegmentScanner, which walks its records in order reading a chunk at a time.
//
// Invariants: `base` is the absolute position of the file's first byte; `size_bytes` is how
// many bytes of it hold complete records the writer has published (readers never look past
// it); `first_index` is 0 while the segment holds no record.
//
// Threading: size_bytes and first_index are atomics the single writer stores (release) and
// readers load (acquire); the reader file serves many threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/fs.h"
#include "storage/log_record.h"

namespace raftmq::storage {

struct LogSegment {
  LogSegment(uint64_t base_position, std::string file_path, std::unique_ptr<RandomAccessFile> file_reader)
      : base(base_position), path(std::move(file_path)), reader(std::move(file_reader)) {}

  uint64_t End() const { return base + size_bytes.load(std::memory_order_acquire); }

  const uint64_t base;
  const std::string path;
  const std::unique_ptr<RandomAccessFile> reader;
  std::atomic<uint64_t> size_bytes{0};
  std::atomic<uint64_t> first_index{0};
};

// "00000000001073741824": the file name of the segment starting at `base`.
std::string SegmentFileName(uint64_t base);
// The base of a segment file name; false for any other name.
bool ParseSegmentFileName(std::string_view name, uint64_t* base);

class SegmentScanner {
 public:
  // Walks the records in [offset, end_offset) of `file` (offsets within the segment).
  SegmentScanner(const RandomAccessFile* file, uint64_t offset, uint64_t end_offset, size_t chunk_bytes);

  // kOk with the next record (its body valid until the next call), or why the bytes at
  // offset() are not one. At end_offset it answers kTruncated with AtEnd() true.
  Result<RecordCheck> Next(ParsedRecord* record);
  bool AtEnd() const { return offset_ == end_offset_; }
  // Offset of the next record to parse.
  uint64_t offset() const { return offset_; }

 private:
  Status Fill(uint64_t bytes_wanted);

  const RandomAccessFile* const file_;
  uint64_t offset_;
  const uint64_t end_offset_;
  const size_t chunk_bytes_;
  std::string buffer_;          // bytes of the file read by the last Fill
  std::string_view buffered_;   // the part of buffer_ from offset_ on
};

}  // namespace raftmq::storage
