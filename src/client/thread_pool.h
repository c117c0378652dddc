// ThreadPool: a fixed set of threads running tasks from a bounded queue. Submit blocks while
// the queue is full (back-pressure); Shutdown runs every task already submitted, then joins.
// Used for async sends and for push consumers' listener calls.
//
// Invariant: after Shutdown returns no task runs and Submit refuses.
// Thread-safety: Submit from any thread; Shutdown once, not from a pool thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace raftmq::client {

class ThreadPool {
 public:
  ThreadPool(int32_t thread_count, int32_t queue_max);
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False when the pool is shut down (the task is not run).
  bool Submit(std::function<void()> task);
  void Shutdown();

 private:
  void Run();

  const size_t queue_max_;
  std::mutex mutex_;
  std::condition_variable not_empty_cv_;
  std::condition_variable not_full_cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace raftmq::client
