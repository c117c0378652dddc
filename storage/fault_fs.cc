#include "storage/fault_fs.h"

#include <algorithm>

namespace raftmq::storage {
namespace {

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

}  // namespace

class FaultFs::File final : public WritableFile {
 public:
  File(FaultFs* fs, std::string path, std::unique_ptr<WritableFile> base, uint64_t epoch)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)), epoch_(epoch) {}

  Status Append(std::string_view data) override { return fs_->AppendTo(path_, *base_, data, epoch_); }
  Status Sync() override { return fs_->SyncFile(path_, *base_, epoch_); }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultFs* const fs_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
  const uint64_t epoch_;
};

class FaultFs::ReadFile final : public RandomAccessFile {
 public:
  ReadFile(const FaultFs* fs, std::unique_ptr<RandomAccessFile> base, uint64_t epoch)
      : fs_(fs), base_(std::move(base)), epoch_(epoch) {}

  Result<std::string_view> Read(uint64_t offset, size_t size, char* scratch) const override {
    {
      std::lock_guard lock(fs_->mu_);
      RMQ_RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_));
      if (fs_->read_errors_) return Status::IoError("injected read error (EIO)");
    }
    return base_->Read(offset, size, scratch);
  }

 private:
  const FaultFs* const fs_;
  const std::unique_ptr<RandomAccessFile> base_;
  const uint64_t epoch_;
};

FaultFs::FaultFs(Fs* base, bool forward_syncs) : base_(base), forward_syncs_(forward_syncs) {
  RMQ_ASSERT(base_ != nullptr);
}

FaultFs::~FaultFs() = default;

void FaultFs::InjectTornAppend(uint64_t bytes_kept) {
  std::lock_guard lock(mu_);
  torn_append_bytes_kept_ = bytes_kept;
}

void FaultFs::InjectSyncErrors(int count) {
  RMQ_ASSERT(count >= 0);
  std::lock_guard lock(mu_);
  sync_errors_left_ = count;
}

void FaultFs::SetReadErrors(bool on) {
  std::lock_guard lock(mu_);
  read_errors_ = on;
}

void FaultFs::SetAppendBudgetBytes(std::optional<uint64_t> bytes) {
  std::lock_guard lock(mu_);
  append_budget_bytes_ = bytes;
}

void FaultFs::SetDiskSpace(std::optional<DiskSpace> space) {
  std::lock_guard lock(mu_);
  disk_space_ = space;
}

void FaultFs::Crash() { Crash(CrashOptions{}); }

void FaultFs::Restart() {
  std::lock_guard lock(mu_);
  down_ = false;
}

void FaultFs::CrashAtSync(uint64_t syncs_ok) {
  std::lock_guard lock(mu_);
  syncs_before_crash_ = syncs_ok;
}

bool FaultFs::SyncCrashesLocked() {
  ++sync_count_;
  if (!syncs_before_crash_) return false;
  if (*syncs_before_crash_ > 0) {
    --*syncs_before_crash_;
    return false;
  }
  syncs_before_crash_.reset();
  CrashLocked(CrashOptions{});
  return true;
}

void FaultFs::Crash(CrashOptions options) {
  std::lock_guard lock(mu_);
  CrashLocked(options);
}

void FaultFs::CrashLocked(CrashOptions options) {
  ++epoch_;
  down_ = true;
  torn_append_bytes_kept_.reset();
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& path = it->first;
    if (!it->second.creation_synced) {
      (void)base_->RemoveFile(path);
      it = files_.erase(it);
      continue;
    }
    Result<uint64_t> size = base_->FileSize(path);
    RMQ_ASSERT_MSG(size.ok(), "FaultFs: a tracked file vanished behind its back");
    uint64_t unsynced = *size - std::min(*size, it->second.synced_bytes);
    uint64_t kept = *size - unsynced + std::min(unsynced, options.unsynced_bytes_kept);
    RMQ_ASSERT(base_->Truncate(path, kept).ok());
    it->second.synced_bytes = kept;
    ++it;
  }
}

uint64_t FaultFs::SyncCount() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

uint64_t FaultFs::SyncedSize(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.synced_bytes;
}

Status FaultFs::CheckUp() const {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down (crashed, not restarted)");
  return Status::Ok();
}

Status FaultFs::CheckEpochLocked(uint64_t epoch) const {
  if (epoch != epoch_) return Status::IoError("FaultFs: handle opened before a simulated crash");
  return Status::Ok();
}

FaultFs::FileModel& FaultFs::ModelLocked(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  // A file this Fs has not seen yet was there before the test began: durable as it is.
  Result<uint64_t> size = base_->FileSize(path);
  return files_[path] = FileModel{.synced_bytes = size.ok() ? *size : 0, .creation_synced = true};
}

Status FaultFs::AppendTo(const std::string& path, WritableFile& base, std::string_view data, uint64_t epoch) {
  std::lock_guard lock(mu_);
  RMQ_RETURN_IF_ERROR(CheckEpochLocked(epoch));
  if (torn_append_bytes_kept_) {
    uint64_t kept = std::min<uint64_t>(*torn_append_bytes_kept_, data.size());
    torn_append_bytes_kept_.reset();
    RMQ_RETURN_IF_ERROR(base.Append(data.substr(0, kept)));
    return Status::IoError("FaultFs: torn append to " + path);
  }
  if (append_budget_bytes_ && data.size() > *append_budget_bytes_) {
    uint64_t kept = *append_budget_bytes_;
    append_budget_bytes_ = 0;
    RMQ_RETURN_IF_ERROR(base.Append(data.substr(0, kept)));
    return Status::NoSpace("FaultFs: no space left for " + path);
  }
  if (append_budget_bytes_) *append_budget_bytes_ -= data.size();
  return base.Append(data);
}

Status FaultFs::SyncFile(const std::string& path, WritableFile& base, uint64_t epoch) {
  std::lock_guard lock(mu_);
  RMQ_RETURN_IF_ERROR(CheckEpochLocked(epoch));
  if (SyncCrashesLocked()) return Status::IoError("FaultFs: the machine crashed at the fdatasync of " + path);
  if (sync_errors_left_ > 0) {
    --sync_errors_left_;
    return Status::IoError("FaultFs: injected fdatasync error on " + path);
  }
  if (forward_syncs_) RMQ_RETURN_IF_ERROR(base.Sync());
  RMQ_ASSIGN_OR_RETURN(uint64_t size, base_->FileSize(path));
  ModelLocked(path).synced_bytes = size;
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultFs::OpenAppendable(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down");
  bool existed = base_->Exists(path);
  if (existed) ModelLocked(path);
  RMQ_ASSIGN_OR_RETURN(auto file, base_->OpenAppendable(path));
  if (!existed) files_[path] = FileModel{.synced_bytes = 0, .creation_synced = false};
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, path, std::move(file), epoch_));
}

Result<std::unique_ptr<RandomAccessFile>> FaultFs::OpenReadable(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down");
  RMQ_ASSIGN_OR_RETURN(auto file, base_->OpenReadable(path));
  return std::unique_ptr<RandomAccessFile>(std::make_unique<ReadFile>(this, std::move(file), epoch_));
}

bool FaultFs::Exists(const std::string& path) { return CheckUp().ok() && base_->Exists(path); }

Result<std::vector<std::string>> FaultFs::ListDir(const std::string& dir) {
  RMQ_RETURN_IF_ERROR(CheckUp());
  return base_->ListDir(dir);
}

Status FaultFs::CreateDirs(const std::string& dir) {
  RMQ_RETURN_IF_ERROR(CheckUp());
  return base_->CreateDirs(dir);
}

Status FaultFs::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down");
  RMQ_RETURN_IF_ERROR(base_->RemoveFile(path));
  files_.erase(path);
  return Status::Ok();
}

Status FaultFs::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down");
  FileModel model = ModelLocked(from);
  // Over a file whose name is durable, a crash leaves the old content or the new one, never
  // no file: the model keeps the new one.
  if (base_->Exists(to) && ModelLocked(to).creation_synced) model.creation_synced = true;
  RMQ_RETURN_IF_ERROR(base_->Rename(from, to));
  files_.erase(from);
  files_[to] = model;
  return Status::Ok();
}

Result<uint64_t> FaultFs::FileSize(const std::string& path) {
  RMQ_RETURN_IF_ERROR(CheckUp());
  return base_->FileSize(path);
}

Status FaultFs::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down");
  FileModel& model = ModelLocked(path);
  RMQ_RETURN_IF_ERROR(base_->Truncate(path, size));
  model.synced_bytes = std::min(model.synced_bytes, size);
  return Status::Ok();
}

Status FaultFs::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (down_) return Status::IoError("FaultFs: the machine is down");
  if (SyncCrashesLocked()) return Status::IoError("FaultFs: the machine crashed at the fsync of directory " + dir);
  if (sync_errors_left_ > 0) {
    --sync_errors_left_;
    return Status::IoError("FaultFs: injected fsync error on directory " + dir);
  }
  if (forward_syncs_) RMQ_RETURN_IF_ERROR(base_->SyncDir(dir));
  for (auto& [path, model] : files_) {
    if (ParentOf(path) == dir) model.creation_synced = true;
  }
  return Status::Ok();
}

Result<DiskSpace> FaultFs::SpaceOf(const std::string& path) {
  {
    std::lock_guard lock(mu_);
    if (down_) return Status::IoError("FaultFs: the machine is down");
    if (disk_space_) return *disk_space_;
  }
  return base_->SpaceOf(path);
}

Result<int64_t> FaultFs::ModifiedTimeSeconds(const std::string& path) {
  RMQ_RETURN_IF_ERROR(CheckUp());
  return base_->ModifiedTimeSeconds(path);
}

}  // namespace raftmq::storage
