#include "broker/data_dir_identity.h"

#include <string>
#include <vector>

namespace raftmq::broker {
namespace {

constexpr uint64_t kIdentityBytesMax = 4096;

std::string IdentityOf(const BrokerOptions& options) {
  return "cluster_name=" + options.cluster_name + "\nbroker_group=" + options.broker_group +
         "\nnode_id=" + std::to_string(options.node_id) + "\n";
}

}  // namespace

Status ClaimDataDir(storage::Fs* fs, const BrokerOptions& options) {
  RMQ_RETURN_IF_ERROR(fs->CreateDirs(options.data_dir));
  const std::string path = options.data_dir + "/IDENTITY";
  const std::string mine = IdentityOf(options);
  if (!fs->Exists(path)) {
    const std::string temporary = path + ".tmp";
    if (fs->Exists(temporary)) RMQ_RETURN_IF_ERROR(fs->RemoveFile(temporary));
    RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenAppendable(temporary));
    RMQ_RETURN_IF_ERROR(file->Append(mine));
    RMQ_RETURN_IF_ERROR(file->Sync());
    RMQ_RETURN_IF_ERROR(file->Close());
    RMQ_RETURN_IF_ERROR(fs->Rename(temporary, path));
    return fs->SyncDir(options.data_dir);
  }
  RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenReadable(path));
  std::vector<char> scratch(kIdentityBytesMax);
  RMQ_ASSIGN_OR_RETURN(std::string_view stored, file->Read(0, scratch.size(), scratch.data()));
  if (stored.empty() || stored.back() != '\n') return Status::Corruption(path + " is not an identity file");
  if (stored != mine) {
    return Status::InvalidArgument("data dir " + options.data_dir + " belongs to another node (" + std::string(stored) +
                                   "), not to this one (" + mine + ")");
  }
  return Status::Ok();
}

}  // namespace raftmq::broker
