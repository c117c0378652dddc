#include "storage/checkpoint_flusher.h"

#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::storage {

CheckpointFlusher::CheckpointFlusher(MetaStore* meta) : meta_(meta) {
  RMQ_ASSERT(meta_ != nullptr);
  thread_ = std::thread([this] { Loop(); });
}

CheckpointFlusher::~CheckpointFlusher() {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !pending_ && !running_; });
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void CheckpointFlusher::Submit(CheckpointJob job) {
  {
    std::lock_guard lock(mutex_);
    RMQ_ASSERT(!pending_);
    if (!error_.ok()) return;  // sticky: nothing may be recorded after a failed fsync
    pending_.emplace(std::move(job));
  }
  changed_.notify_all();
}

bool CheckpointFlusher::Busy() const {
  std::lock_guard lock(mutex_);
  return pending_.has_value() || running_;
}

Status CheckpointFlusher::Wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !pending_ && !running_; });
  return error_;
}

Status CheckpointFlusher::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void CheckpointFlusher::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
    if (!pending_) return;  // stopping, and nothing left to run
    CheckpointJob job = std::move(*pending_);
    pending_.reset();
    running_ = true;
    lock.unlock();
    Status status;
    for (const ConsumeQueueSync& sync : job.syncs) {
      status = sync.Run();
      if (!status.ok()) break;
    }
    if (status.ok()) status = meta_->Write(std::move(job.record), Durability::kBuffered);
    if (!status.ok()) spdlog::error("dispatcher: checkpoint failed: {}", status.ToString());
    lock.lock();
    running_ = false;
    if (!status.ok() && error_.ok()) error_ = status;
    changed_.notify_all();
  }
}

}  // namespace raftmq::storage
