#include "raft/snapshot_store.h"

#include <charconv>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/snapshot_transfer.h"
#include "storage/crc32c.h"
#include "storage/little_endian.h"
#include "storage/meta_codec.h"

namespace raftmq::raft {

namespace {

constexpr std::string_view kOwnPrefix = "snapshot-";
constexpr std::string_view kReceivedPrefix = "received-";
constexpr std::string_view kSavingPrefix = "saving-";
constexpr std::string_view kConfigurationFile = "configuration";
// Far above any group's: a version byte, an index, two counts and 8 bytes per member, a CRC.
constexpr size_t kConfigurationFileBytesMax = 64u << 10;

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

// Writes `conf` as the configuration file of the snapshot directory `dir` at `index`, synced
// (the caller syncs the directory).
Status WriteConfiguration(storage::Fs* fs, const std::string& dir, Index index, const storage::ConfState& conf) {
  std::string bytes = storage::EncodeConfRecord(storage::ConfRecord{index, conf});
  storage::AppendLittleEndian(&bytes, storage::crc32c::Mask(storage::crc32c::Value(bytes)));
  RMQ_ASSIGN_OR_RETURN(std::unique_ptr<storage::WritableFile> file,
                       fs->OpenAppendable(dir + "/" + std::string(kConfigurationFile)));
  RMQ_RETURN_IF_ERROR(file->Append(bytes));
  RMQ_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

// The configuration file of the snapshot directory `dir` at `index`; nullopt (logged) when it
// is missing or damaged, or stands at another index.
std::optional<storage::ConfState> ReadConfiguration(storage::Fs* fs, const std::string& dir, Index index) {
  const std::string path = dir + "/" + std::string(kConfigurationFile);
  if (!fs->Exists(path)) return std::nullopt;
  std::string bytes(kConfigurationFileBytesMax, '\0');
  Result<std::unique_ptr<storage::RandomAccessFile>> file = fs->OpenReadable(path);
  Result<std::string_view> read = file.ok() ? (*file)->Read(0, bytes.size(), bytes.data())
                                            : Result<std::string_view>(file.status());
  std::optional<storage::ConfState> conf;
  if (read.ok() && read->size() > sizeof(uint32_t)) {
    const std::string_view body = read->substr(0, read->size() - sizeof(uint32_t));
    const uint32_t crc = storage::LoadLittleEndian<uint32_t>(read->data() + body.size());
    Result<storage::ConfRecord> record = storage::DecodeConfRecord(body);
    if (storage::crc32c::Unmask(crc) == storage::crc32c::Value(body) && record.ok() && record->index == index) {
      conf = std::move(record->conf);
    }
  }
  if (!conf) spdlog::warn("snapshot store: {} is unreadable or damaged; the snapshot's configuration is unknown", path);
  return conf;
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
      if (!meta) continue;
      store->own_.emplace(std::pair(meta->index, meta->term),
                          ReadConfiguration(fs, store->OwnDir(*meta), meta->index));
    }
  }
  return store;
}

SnapshotStore::SnapshotStore(storage::Fs* fs, std::string root, storage::ConfState configuration)
    : fs_(fs), root_(std::move(root)), noted_{storage::ConfRecord{Index(0), std::move(configuration)}} {}

Result<std::optional<storage::SnapshotMeta>> SnapshotStore::Latest() const {
  std::lock_guard lock(mutex_);
  if (own_.empty()) return std::optional<storage::SnapshotMeta>();
  const auto& [at, conf] = *own_.rbegin();
  return std::optional<storage::SnapshotMeta>(storage::SnapshotMeta{
      .index = at.first, .term = at.second, .conf_state = conf ? *conf : NotedAt(at.first)});
}

void SnapshotStore::NoteConfiguration(const storage::ConfRecord& record) {
  std::lock_guard lock(mutex_);
  while (!noted_.empty() && noted_.back().index >= record.index) noted_.pop_back();
  noted_.push_back(record);
  if (noted_.size() > kConfigurationsKept) noted_.erase(noted_.begin());
}

storage::ConfState SnapshotStore::NotedAt(Index index) const {
  for (auto it = noted_.rbegin(); it != noted_.rend(); ++it) {
    if (it->index <= index) return it->conf;
  }
  return storage::ConfState{};
}

Status SnapshotStore::Save(const storage::SnapshotMeta& meta,
                           const std::function<Status(const std::string& dir)>& write) {
  std::lock_guard lock(mutex_);
  if (own_.contains({meta.index, meta.term})) return Status::Ok();
  const storage::ConfState conf = meta.conf_state.voters.empty() ? NotedAt(meta.index) : meta.conf_state;
  const std::string saving = root_ + "/" + std::string(kSavingPrefix) + std::to_string(meta.index.value());
  RemoveSnapshotDir(saving);  // a failed save of the same index
  Status saved = fs_->CreateDirs(saving);
  if (saved.ok()) saved = write(saving);
  if (saved.ok() && !conf.voters.empty()) saved = WriteConfiguration(fs_, saving, meta.index, conf);
  if (saved.ok()) saved = fs_->SyncDir(saving);
  if (saved.ok()) saved = fs_->Rename(saving, OwnDir(meta));
  if (!saved.ok()) {
    RemoveSnapshotDir(saving);
    return saved.WithContext("saving the snapshot at index " + std::to_string(meta.index.value()));
  }
  own_.emplace(std::pair(meta.index, meta.term), conf.voters.empty() ? std::nullopt : std::optional(conf));
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
  if (!meta.conf_state.voters.empty()) {
    RMQ_RETURN_IF_ERROR(WriteConfiguration(fs_, received, meta.index, meta.conf_state)
                            .WithContext("adopting a received snapshot"));
    RMQ_RETURN_IF_ERROR(fs_->SyncDir(received).WithContext("adopting a received snapshot"));
  }
  RMQ_RETURN_IF_ERROR(fs_->Rename(received, dir).WithContext("adopting a received snapshot"));
  RMQ_RETURN_IF_ERROR(fs_->SyncDir(root_).WithContext("adopting a received snapshot"));
  own_.emplace(std::pair(meta.index, meta.term),
               meta.conf_state.voters.empty() ? std::nullopt : std::optional(meta.conf_state));
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
    const auto& [index, term] = own_.begin()->first;
    RemoveSnapshotDir(OwnDir(storage::SnapshotMeta{index, term}));
    own_.erase(own_.begin());
  }
  if (own_.empty()) return;
  const Index newest = own_.rbegin()->first.first;
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
