#include "storage/checked_file.h"

#include "common/assert.h"
#include "storage/crc32c.h"
#include "storage/durable_replace.h"
#include "storage/little_endian.h"

namespace raftmq::storage {

namespace {
uint32_t FieldsCrc(std::string_view bytes) {
  return crc32c::Mask(crc32c::Value(bytes.substr(kCheckedFileFieldsOffset)));
}
}  // namespace

Result<CheckedFileRead> ReadCheckedFile(Fs* fs, const std::string& dir, const CheckedFileFormat& format) {
  RMQ_ASSERT(format.bytes > kCheckedFileFieldsOffset);
  const std::string path = dir + "/" + std::string(format.file_name);
  if (!fs->Exists(path)) return CheckedFileRead{.state = CheckedFileState::kMissing};
  RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenReadable(path));
  std::string scratch(format.bytes, '\0');
  RMQ_ASSIGN_OR_RETURN(std::string_view bytes, file->Read(0, scratch.size(), scratch.data()));
  if (bytes.size() != format.bytes || GetFixed32(bytes.data() + kCheckedFileMagicOffset) != format.magic ||
      GetFixed32(bytes.data() + kCheckedFileCrcOffset) != FieldsCrc(bytes)) {
    return CheckedFileRead{.state = CheckedFileState::kDamaged};
  }
  return CheckedFileRead{.state = CheckedFileState::kSound, .bytes = std::string(bytes)};
}

Status WriteCheckedFile(Fs* fs, const std::string& dir, const CheckedFileFormat& format, std::string bytes) {
  RMQ_ASSERT(format.bytes > kCheckedFileFieldsOffset);
  RMQ_ASSERT(bytes.size() == format.bytes);
  PutFixed32(bytes.data() + kCheckedFileMagicOffset, format.magic);
  PutFixed32(bytes.data() + kCheckedFileCrcOffset, FieldsCrc(bytes));
  return ReplaceFileDurably(fs, dir, format.file_name, format.temp_file_name, bytes);
}

}  // namespace raftmq::storage
