#include "storage/durable_replace.h"

namespace raftmq::storage {

Status ReplaceFileDurably(Fs* fs, const std::string& dir, std::string_view name, std::string_view temp_name,
                          std::string_view bytes) {
  const std::string temp = dir + "/" + std::string(temp_name);
  if (fs->Exists(temp)) RMQ_RETURN_IF_ERROR(fs->RemoveFile(temp));
  {
    RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenAppendable(temp));
    RMQ_RETURN_IF_ERROR(file->Append(bytes));
    RMQ_RETURN_IF_ERROR(file->Sync());
    RMQ_RETURN_IF_ERROR(file->Close());
  }
  RMQ_RETURN_IF_ERROR(fs->Rename(temp, dir + "/" + std::string(name)));
  return fs->SyncDir(dir);
}

}  // namespace raftmq::storage
