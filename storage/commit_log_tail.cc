#include "storage/commit_log_tail.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "common/assert.h"
#include "storage/log_segment.h"

namespace raftmq::storage {

namespace format = commit_log_format;

namespace {

// Whether a whole record parses at `offset`.
Result<bool> SoundRecordAt(const RandomAccessFile* file, uint64_t offset, uint64_t end_offset, size_t chunk_bytes) {
  SegmentScanner scanner(file, offset, end_offset, chunk_bytes);
  ParsedRecord record;
  RMQ_ASSIGN_OR_RETURN(RecordCheck check, scanner.Next(&record));
  return check == RecordCheck::kOk;
}

}  // namespace

Result<std::optional<uint64_t>> FindSoundRecordAfter(const RandomAccessFile* file, uint64_t bad_offset,
                                                     uint64_t end_offset, size_t chunk_bytes) {
  RMQ_ASSERT(file != nullptr);
  RMQ_ASSERT(chunk_bytes >= format::kHeaderBytes);
  char magic[sizeof(format::kRecordMagic)];
  PutFixed32(magic, format::kRecordMagic);
  std::string buffer(chunk_bytes, '\0');
  // Chunks overlap by the magic's size less one, so a magic across two chunks is seen.
  for (uint64_t from = bad_offset + 1; from + format::kHeaderBytes <= end_offset;) {
    uint64_t wanted = std::min<uint64_t>(chunk_bytes, end_offset - from);
    RMQ_ASSIGN_OR_RETURN(std::string_view got, file->Read(from, wanted, buffer.data()));
    if (got.size() < sizeof(magic)) break;
    for (size_t at = 0; at + sizeof(magic) <= got.size(); ++at) {
      const void* hit = std::memchr(got.data() + at, magic[0], got.size() - at);
      if (hit == nullptr) break;
      at = static_cast<size_t>(static_cast<const char*>(hit) - got.data());
      if (at + sizeof(magic) > got.size()) break;
      if (std::memcmp(got.data() + at, magic, sizeof(magic)) != 0) continue;
      RMQ_ASSIGN_OR_RETURN(bool sound, SoundRecordAt(file, from + at, end_offset, chunk_bytes));
      if (sound) return std::optional<uint64_t>(from + at);
    }
    if (got.size() < wanted) break;
    from += got.size() - (sizeof(magic) - 1);
  }
  return std::optional<uint64_t>();
}

}  // namespace raftmq::storage
