#include "raft/snapshot_store.h"

#include <charconv>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/snapshot_transfer.h"

namespace raftmq::raft {

namespace {

constexpr std::string_view kOwnPrefix = "snapshot-";
constexpr std::string_view kReceivedPrefix = "received-";
constexpr std::string_view kSavingPrefix = "saving-";

// Parses "<term>-<index>" (and a "-<n>" after it when `numbered`) at the start of `rest`.
std::optional<storage::SnapshotMeta> ParseMeta(std::string_view rest, bool numbered) {
  uint64_t values[3] = {0, 0, 0};
  const size_t count = numbered ? 3 : 2;
  const char* at = rest.data();
  const char* end = rest.data() + rest.size();
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) {
      if (at == end || *at != '-') return std::nullopt;
      ++at;
    }
    auto [next, error] = std::from_chars(at, end, values[i]);
    if (error != std::errc() || next == at) return std::nullopt;
    at = next;
  }
  if (at != end) return std::nullopt;
  return storage::SnapshotMeta{Index(values[1]), Term(values[0])};
}

std::string MetaName(const storage::SnapshotMeta& meta) {
  return std::to_string(meta.term.value()) + "-" + std::to_string(meta.index.value());
}

}  // namespace

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::Open(storage::Fs* fs, std::string root,
                                                          storage::ConfState configuration) {
  RMQ_ASSERT(fs != nullptr);
  RMQ_RETURN_IF_ERROR(fs->CreateDirs(root).WithContext("snapshot store"));
  std::unique_ptr<SnapshotStore> store(new SnapshotStore(fs, std::move(root), std::move(configuration)));
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(store->root_));
  for (const std::string& name : names) {
    const std::string_view view(name);
    if (view.starts_with(kSavingPrefix)) {
      RemoveSnapshotDir(store->root_ + "/" + name);
    } else if (view.starts_with(kOwnPrefix)) {
      std::optional<storage::SnapshotMeta> meta = ParseMeta(view.substr(kOwnPrefix.size()), /*numbered=*/false);
      if (meta) store->own_.emplace(meta->index, meta->term);
    }
  }
  return store;
}

SnapshotStore::SnapshotStore(storage::Fs* fs, std::string root, storage::ConfState configuration)
    : fs_(fs), root_(std::move(root)), configuration_(std::move(configuration)) {}

Result<std::optional<storage::SnapshotMeta>> SnapshotStore::Latest() const {
  std::lock_guard lock(mutex_);
  if (own_.empty()) return std::optional<storage::SnapshotMeta>();
  const auto& [index, term] = *own_.rbegin();
  return std::optional<storage::SnapshotMeta>(
      storage::SnapshotMeta{.index = index, .term = term, .conf_state = configuration_});
}

Status SnapshotStore::Save(const storage::SnapshotMeta& meta,
                           const std::function<Status(const std::string& dir)>& write) {
  std::lock_guard lock(mutex_);
  if (own_.contains({meta.index, meta.term})) return Status::Ok();
  const std::string saving = root_ + "/" + std::string(kSavingPrefix) + std::to_string(meta.index.value());
  RemoveSnapshotDir(saving);  // a failed save of the same index
  Status saved = fs_->CreateDirs(saving);
  if (saved.ok()) saved = write(saving);
  if (saved.ok()) saved = fs_->SyncDir(saving);
  if (saved.ok()) saved = fs_->Rename(saving, OwnDir(meta));
  if (!saved.ok()) {
    RemoveSnapshotDir(saving);
    return saved.WithContext("saving the snapshot at index " + std::to_string(meta.index.value()));
  }
  own_.emplace(meta.index, meta.term);
  Prune();
  // The rename must outlive a power loss before the log is cut behind the snapshot.
  return fs_->SyncDir(root_).WithContext("saving the snapshot at index " + std::to_string(meta.index.value()));
}

Result<std::string> SnapshotStore::DirOf(const storage::SnapshotMeta& meta) const {
  std::lock_guard lock(mutex_);
  if (!own_.contains({meta.index, meta.term})) {
    return Status::NotFound("no snapshot at index " + std::to_string(meta.index.value()) + " (term " +
                            std::to_string(meta.term.value()) + ") in " + root_);
  }
  return OwnDir(meta);
}

bool SnapshotStore::Holds(const storage::SnapshotMeta& meta) const {
  std::lock_guard lock(mutex_);
  if (own_.contains({meta.index, meta.term})) return true;
  Result<std::string> received = ReceivedDir(meta);
  return received.ok() && !received->empty();
}

Result<std::string> SnapshotStore::Adopt(const storage::SnapshotMeta& meta) {
  std::lock_guard lock(mutex_);
  if (own_.contains({meta.index, meta.term})) return OwnDir(meta);
  RMQ_ASSIGN_OR_RETURN(std::string received, ReceivedDir(meta));
  if (received.empty()) {
    return Status::NotFound("no snapshot at index " + std::to_string(meta.index.value()) + " (term " +
                            std::to_string(meta.term.value()) + ") was received in " + root_);
  }
  const std::string dir = OwnDir(meta);
  RMQ_RETURN_IF_ERROR(fs_->Rename(received, dir).WithContext("adopting a received snapshot"));
  RMQ_RETURN_IF_ERROR(fs_->SyncDir(root_).WithContext("adopting a received snapshot"));
  own_.emplace(meta.index, meta.term);
  Prune();
  return dir;
}

std::string SnapshotStore::OwnDir(const storage::SnapshotMeta& meta) const {
  return root_ + "/" + std::string(kOwnPrefix) + MetaName(meta);
}

Result<std::string> SnapshotStore::ReceivedDir(const storage::SnapshotMeta& meta) const {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(root_));
  const std::string prefix = std::string(kReceivedPrefix) + MetaName(meta) + "-";
  std::string newest;
  uint64_t newest_number = 0;
  for (const std::string& name : names) {
    if (!name.starts_with(prefix)) continue;
    uint64_t number = 0;
    const char* end = name.data() + name.size();
    auto [next, error] = std::from_chars(name.data() + prefix.size(), end, number);
    if (error != std::errc() || next != end) continue;
    if (newest.empty() || number > newest_number) {
      newest = root_ + "/" + name;
      newest_number = number;
    }
  }
  return newest;
}

void SnapshotStore::Prune() {
  while (own_.size() > kSnapshotsKept) {
    const auto& [index, term] = *own_.begin();
    RemoveSnapshotDir(OwnDir(storage::SnapshotMeta{index, term}));
    own_.erase(own_.begin());
  }
  if (own_.empty()) return;
  const Index newest = own_.rbegin()->first;
  Result<std::vector<std::string>> names = fs_->ListDir(root_);
  if (!names.ok()) return;  // garbage stays until the next prune
  for (const std::string& name : *names) {
    if (!name.starts_with(kReceivedPrefix)) continue;
    std::optional<storage::SnapshotMeta> meta =
        ParseMeta(std::string_view(name).substr(kReceivedPrefix.size()), /*numbered=*/true);
    if (meta && meta->index <= newest) RemoveSnapshotDir(root_ + "/" + name);
  }
}

}  // namespace raftmq::raft
