// LocalFileOffsetStore: BROADCASTING offsets in a local JSON file (RocketMQ's
// LocalFileOffsetStore): every consumer reads every message, so its progress is its own.
// The file is replaced atomically (write a temporary file, fsync, rename), so a crash leaves
// the old or the new file, never a torn one.
//
// File: {"offsets":[{"topic":"t","broker_group":"g","queue_id":0,"offset":42},...]}
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "client/offset_store.h"

namespace raftmq::client {

class LocalFileOffsetStore final : public OffsetStore {
 public:
  // Loads `path` when it exists; Corruption when it is not a valid offsets file.
  static Result<std::unique_ptr<LocalFileOffsetStore>> Open(std::filesystem::path path);

  Result<int64_t> Read(const MessageQueue& queue) override;
  void Update(const MessageQueue& queue, int64_t offset) override;
  Status Persist(const MessageQueue& queue) override;
  Status PersistAll() override;
  void Remove(const MessageQueue& queue) override;

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit LocalFileOffsetStore(std::filesystem::path path) : path_(std::move(path)) {}
  Status Load();

  const std::filesystem::path path_;
  std::mutex mutex_;
  std::map<MessageQueue, int64_t> offsets_;  // guarded by mutex_
};

}  // namespace raftmq::client
