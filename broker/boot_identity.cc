#include "broker/boot_identity.h"

#include <string>
#include <vector>

namespace raftmq::broker {
namespace {

constexpr uint64_t kBootIdBytesMax = 256;

Result<std::string> ReadTrimmed(storage::Fs* fs, const std::string& path) {
  RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenReadable(path));
  std::vector<char> scratch(kBootIdBytesMax);
  RMQ_ASSIGN_OR_RETURN(std::string_view text, file->Read(0, scratch.size(), scratch.data()));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

std::string StoredPath(const BrokerOptions& options) { return options.data_dir + "/BOOT_ID"; }

}  // namespace

Result<BootCheck> CheckBootId(storage::Fs* fs, const BrokerOptions& options, bool log_holds_entries) {
  auto current = ReadTrimmed(fs, options.boot_id_file);
  if (!current.ok()) return current.status().WithContext("reading boot_id_file " + options.boot_id_file);
  if (current->empty()) return Status::IoError("boot_id_file " + options.boot_id_file + " is empty");
  BootCheck check{.boot_id = *current};
  const std::string stored_path = StoredPath(options);
  if (!fs->Exists(stored_path)) {
    check.may_have_forgotten_term = log_holds_entries;
    check.may_have_lost_acknowledged_entries = log_holds_entries;
    return check;
  }
  if (options.flush_disk_type == "sync") return check;  // every acknowledged entry was fsynced
  RMQ_ASSIGN_OR_RETURN(std::string stored, ReadTrimmed(fs, stored_path));
  check.may_have_lost_acknowledged_entries = stored != check.boot_id;
  return check;
}

Status RecordBootId(storage::Fs* fs, const BrokerOptions& options, const std::string& boot_id) {
  const std::string path = StoredPath(options);
  const std::string temporary = path + ".tmp";
  if (fs->Exists(temporary)) RMQ_RETURN_IF_ERROR(fs->RemoveFile(temporary));
  RMQ_ASSIGN_OR_RETURN(auto file, fs->OpenAppendable(temporary));
  RMQ_RETURN_IF_ERROR(file->Append(boot_id + "\n"));
  RMQ_RETURN_IF_ERROR(file->Sync());
  RMQ_RETURN_IF_ERROR(file->Close());
  RMQ_RETURN_IF_ERROR(fs->Rename(temporary, path));
  return fs->SyncDir(options.data_dir);
}

}  // namespace raftmq::broker
