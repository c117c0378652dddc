#include "common/background_worker.h"

#include <utility>

#include "common/assert.h"

namespace raftmq {

BackgroundWorker::BackgroundWorker(Round round) : round_(std::move(round)) { RMQ_ASSERT(round_ != nullptr); }

BackgroundWorker::~BackgroundWorker() { Stop(); }

void BackgroundWorker::Start() {
  std::lock_guard lock(mutex_);
  RMQ_ASSERT(!thread_.joinable());
  if (stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void BackgroundWorker::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void BackgroundWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  // Only the owner calls Stop, so no one starts the thread meanwhile.
  if (thread_.joinable()) thread_.join();
}

void BackgroundWorker::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    const std::optional<std::chrono::milliseconds> wait = round_();
    lock.lock();
    const auto woken = [this] { return stopping_ || woken_; };
    if (wait) {
      wake_.wait_for(lock, *wait, woken);
    } else {
      wake_.wait(lock, woken);
    }
  }
}

}  // namespace raftmq
