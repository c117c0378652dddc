#include "client/thread_pool.h"

#include "common/assert.h"

namespace raftmq::client {

ThreadPool::ThreadPool(int32_t thread_count, int32_t queue_max) : queue_max_(static_cast<size_t>(queue_max)) {
  RMQ_ASSERT(thread_count > 0);
  RMQ_ASSERT(queue_max > 0);
  for (int32_t i = 0; i < thread_count; ++i) threads_.emplace_back([this] { Run(); });
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::Submit(std::function<void()> task) {
  RMQ_ASSERT(task != nullptr);
  {
    std::unique_lock lock(mutex_);
    not_full_cv_.wait(lock, [&] { return stopping_ || tasks_.size() < queue_max_; });
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  not_empty_cv_.notify_one();
  return true;
}

void ThreadPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  not_empty_cv_.notify_all();
  not_full_cv_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  RMQ_ASSERT(tasks_.empty());
}

void ThreadPool::Run() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      not_empty_cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    not_full_cv_.notify_one();
    task();
  }
}

}  // namespace raftmq::client
