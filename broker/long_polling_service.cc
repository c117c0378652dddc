#include "broker/long_polling_service.h"

#include <algorithm>

#include "common/assert.h"

namespace raftmq::broker {

std::string WakeRefusal(WakeReason reason) {
  RMQ_ASSERT(reason == WakeReason::kShutdown || reason == WakeReason::kLeadershipLost);
  return reason == WakeReason::kShutdown ? "broker is shutting down" : "this node stopped leading its group";
}

LongPollingService::LongPollingService(uint32_t requests_max, MaxOffsetFn max_offset, const Clock* clock)
    : requests_max_(requests_max),
      max_offset_(std::move(max_offset)),
      clock_(clock),
      worker_([this] { return RunDue(); }) {
  RMQ_ASSERT(requests_max > 0);
  RMQ_ASSERT(max_offset_ != nullptr);
  RMQ_ASSERT(clock_ != nullptr);
}

LongPollingService::~LongPollingService() { Stop(); }

void LongPollingService::Start() { worker_.Start(); }

void LongPollingService::Recheck() { worker_.Wake(); }

void LongPollingService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  worker_.Stop();
  // Never started, or Holds raced with the thread's last round: answer the rest here.
  std::vector<Due> rest;
  {
    std::lock_guard lock(mutex_);
    rest = std::move(due_);
    due_.clear();
    while (!waiters_.empty()) rest.push_back({TakeLocked(waiters_.begin()->first), WakeReason::kShutdown});
  }
  for (Due& due : rest) due.waiter.waker(WakeReason::kShutdown);
}

bool LongPollingService::Hold(const std::string& topic, int32_t queue_id, uint64_t offset,
                              int64_t deadline_ms, Waker waker, std::string group) {
  RMQ_ASSERT(waker != nullptr);
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || waiters_.size() + due_.size() >= requests_max_) return false;
  }
  Insert({{topic, queue_id}, offset, deadline_ms, std::move(waker), std::move(group)});
  // A message dispatched between the caller's empty read and the registration above woke
  // nobody: look again now that this waiter is visible to Notify.
  uint64_t max_offset = max_offset_(topic, queue_id);
  if (max_offset > offset) Notify(topic, queue_id, max_offset);
  return true;
}

void LongPollingService::Insert(Waiter waiter) {
  {
    std::lock_guard lock(mutex_);
    uint64_t id = next_id_++;
    by_queue_[waiter.key].push_back(id);
    by_deadline_.emplace(waiter.deadline_ms, id);
    waiters_.emplace(id, std::move(waiter));
  }
  worker_.Wake();  // the earliest deadline may have moved
}

void LongPollingService::Notify(const std::string& topic, int32_t queue_id, uint64_t max_offset) {
  WakeQueue(Key(topic, queue_id), [max_offset](const Waiter& waiter) { return waiter.offset < max_offset; });
}

void LongPollingService::WakeGroup(const std::string& topic, int32_t queue_id, const std::string& group) {
  RMQ_ASSERT(!group.empty());
  WakeQueue(Key(topic, queue_id), [&group](const Waiter& waiter) { return waiter.group == group; });
}

void LongPollingService::WakeQueue(const Key& key, const std::function<bool(const Waiter&)>& wakes) {
  bool woke = false;
  {
    std::lock_guard lock(mutex_);
    auto queue = by_queue_.find(key);
    if (queue == by_queue_.end()) return;
    std::vector<uint64_t> ids = queue->second;  // TakeLocked edits the vector
    for (uint64_t id : ids) {
      if (!wakes(waiters_.at(id))) continue;
      due_.push_back({TakeLocked(id), WakeReason::kArrived});
      woke = true;
    }
  }
  if (woke) worker_.Wake();
}

void LongPollingService::WakeAll(WakeReason reason) {
  {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) return;
    while (!waiters_.empty()) due_.push_back({TakeLocked(waiters_.begin()->first), reason});
  }
  worker_.Wake();
}

LongPollingService::Waiter LongPollingService::TakeLocked(uint64_t id) {
  auto it = waiters_.find(id);
  RMQ_ASSERT(it != waiters_.end());
  Waiter waiter = std::move(it->second);
  waiters_.erase(it);
  auto queue = by_queue_.find(waiter.key);
  RMQ_ASSERT(queue != by_queue_.end());
  std::erase(queue->second, id);
  if (queue->second.empty()) by_queue_.erase(queue);
  auto [first, last] = by_deadline_.equal_range(waiter.deadline_ms);
  auto deadline = std::find_if(first, last, [id](const auto& entry) { return entry.second == id; });
  RMQ_ASSERT(deadline != last);
  by_deadline_.erase(deadline);
  return waiter;
}

std::vector<LongPollingService::Due> LongPollingService::CollectDueLocked(int64_t now_ms) {
  std::vector<Due> due = std::move(due_);
  due_.clear();
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now_ms) {
    due.push_back({TakeLocked(by_deadline_.begin()->second), WakeReason::kTimeout});
  }
  return due;
}

std::optional<std::chrono::milliseconds> LongPollingService::RunDue() {
  std::vector<Due> due;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return std::nullopt;  // Stop answers the rest
    due = CollectDueLocked(clock_->SteadyNowMs());
  }
  for (Due& item : due) {
    std::optional<uint64_t> again = item.waiter.waker(item.reason);
    if (!again) continue;
    // Only an arrival may ask to keep waiting: a timeout must answer.
    RMQ_ASSERT(item.reason == WakeReason::kArrived);
    item.waiter.offset = *again;
    std::string topic = item.waiter.key.first;
    int32_t queue_id = item.waiter.key.second;
    Insert(std::move(item.waiter));
    uint64_t max_offset = max_offset_(topic, queue_id);
    if (max_offset > *again) Notify(topic, queue_id, max_offset);
  }
  // A Notify or Hold from now on wakes the worker again, so this wait loses nothing.
  std::lock_guard lock(mutex_);
  if (by_deadline_.empty()) return std::nullopt;
  return std::chrono::milliseconds(std::max<int64_t>(0, by_deadline_.begin()->first - clock_->SteadyNowMs()));
}

size_t LongPollingService::HeldCount() const {
  std::lock_guard lock(mutex_);
  return waiters_.size() + due_.size();
}

}  // namespace raftmq::broker
