#include "client/process_queue.h"

#include <chrono>

#include "common/assert.h"

namespace raftmq::client {

ProcessQueue::ProcessQueue(int64_t start_offset) : next_pull_offset_(start_offset) {
  RMQ_ASSERT(start_offset >= 0);
}

void ProcessQueue::PutMessages(const std::vector<messaging::MessageExt>& messages, int64_t next_pull_offset) {
  std::lock_guard lock(mutex_);
  for (const messaging::MessageExt& message : messages) {
    const int64_t bytes = static_cast<int64_t>(message.message().body().size());
    auto [it, inserted] = body_bytes_by_offset_.emplace(message.queue_offset(), bytes);
    if (inserted) cached_bytes_ += bytes;
  }
  // A broker answer is network input: a next offset behind what we have is ignored, not asserted.
  if (next_pull_offset > next_pull_offset_) next_pull_offset_ = next_pull_offset;
  if (!body_bytes_by_offset_.empty() && body_bytes_by_offset_.rbegin()->first >= next_pull_offset_) {
    next_pull_offset_ = body_bytes_by_offset_.rbegin()->first + 1;
  }
  RMQ_ASSERT(cached_bytes_ >= 0);
}

int64_t ProcessQueue::RemoveMessages(const std::vector<int64_t>& offsets) {
  int64_t commit_offset = 0;
  {
    std::lock_guard lock(mutex_);
    for (int64_t offset : offsets) {
      auto it = body_bytes_by_offset_.find(offset);
      if (it == body_bytes_by_offset_.end()) continue;  // dropped by a reset meanwhile
      cached_bytes_ -= it->second;
      body_bytes_by_offset_.erase(it);
    }
    RMQ_ASSERT(cached_bytes_ >= 0);
    RMQ_ASSERT(!body_bytes_by_offset_.empty() || cached_bytes_ == 0);
    commit_offset = body_bytes_by_offset_.empty() ? next_pull_offset_ : body_bytes_by_offset_.begin()->first;
  }
  changed_cv_.notify_all();
  return commit_offset;
}

void ProcessQueue::ResetOffset(int64_t offset) {
  RMQ_ASSERT(offset >= 0);
  {
    std::lock_guard lock(mutex_);
    body_bytes_by_offset_.clear();
    cached_bytes_ = 0;
    next_pull_offset_ = offset;
  }
  changed_cv_.notify_all();
}

int64_t ProcessQueue::CommitOffset() const {
  std::lock_guard lock(mutex_);
  const int64_t offset = body_bytes_by_offset_.empty() ? next_pull_offset_ : body_bytes_by_offset_.begin()->first;
  RMQ_ASSERT(offset <= next_pull_offset_);
  return offset;
}

int64_t ProcessQueue::next_pull_offset() const {
  std::lock_guard lock(mutex_);
  return next_pull_offset_;
}

int64_t ProcessQueue::cached_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(body_bytes_by_offset_.size());
}

int64_t ProcessQueue::cached_bytes() const {
  std::lock_guard lock(mutex_);
  return cached_bytes_;
}

int64_t ProcessQueue::span() const {
  std::lock_guard lock(mutex_);
  if (body_bytes_by_offset_.empty()) return 0;
  return body_bytes_by_offset_.rbegin()->first - body_bytes_by_offset_.begin()->first;
}

std::optional<std::string> ProcessQueue::PauseReason(const FlowControlLimits& limits) const {
  std::lock_guard lock(mutex_);
  return PauseReasonLocked(limits);
}

std::optional<std::string> ProcessQueue::PauseReasonLocked(const FlowControlLimits& limits) const {
  const auto count = static_cast<int64_t>(body_bytes_by_offset_.size());
  if (count >= limits.pull_threshold_for_queue) return std::to_string(count) + " cached messages";
  if (cached_bytes_ >= limits.pull_threshold_size_for_queue_mib * 1024 * 1024) {
    return std::to_string(cached_bytes_) + " cached bytes";
  }
  if (count > 0) {
    const int64_t span = body_bytes_by_offset_.rbegin()->first - body_bytes_by_offset_.begin()->first;
    if (span >= limits.consume_concurrently_max_span) return "offset span " + std::to_string(span);
  }
  return std::nullopt;
}

bool ProcessQueue::WaitUntilPullable(const FlowControlLimits& limits, int64_t timeout_ms) {
  std::unique_lock lock(mutex_);
  changed_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                       [&] { return pulling_stopped_ || !PauseReasonLocked(limits).has_value(); });
  return !pulling_stopped_ && !PauseReasonLocked(limits).has_value();
}

bool ProcessQueue::SleepUnlessStopped(int64_t timeout_ms) {
  std::unique_lock lock(mutex_);
  return !changed_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return pulling_stopped_; });
}

void ProcessQueue::StopPulling() {
  {
    std::lock_guard lock(mutex_);
    pulling_stopped_ = true;
  }
  changed_cv_.notify_all();
}

bool ProcessQueue::pulling_stopped() const {
  std::lock_guard lock(mutex_);
  return pulling_stopped_;
}

void ProcessQueue::Drop() {
  {
    std::lock_guard lock(mutex_);
    dropped_ = true;
    pulling_stopped_ = true;
  }
  changed_cv_.notify_all();
}

bool ProcessQueue::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace raftmq::client
