// LongPollingService: pulls that found nothing, held until their queue grows or their
// deadline passes (RocketMQ's PullRequestHoldService, without its 5 s re-check loop).
//
// The apply path calls Notify(topic, queue, max_offset) after the Dispatcher wrote a queue's
// entries; the waiters of that queue whose offset is now below max_offset wake at once. No
// polling: one thread (a BackgroundWorker) sleeps until a notification or the earliest
// deadline. Deadlines are steady milliseconds of the injected Clock; a test that moves a
// manual clock calls Recheck() so the thread reads it again. A held pull
// costs no thread (the gRPC reactor waits in the waker); their number is bounded by
// long_polling_requests_max.
//
// A RocketMQ 5 receive (broker/v2/receive_call.h) is held the same way, for its consumer
// group: besides a write to its queue, WakeGroup wakes it when the group's pop state on the
// queue changed (ChangeInvisibleDuration moved an in-flight message's deadline), so a retry
// made visible is received at once instead of at the next receive. Pulls hold for no group.
//
// A waker runs on the service's thread and answers its pull, or returns the offset to keep
// waiting from (its new messages did not match its tag filter); a re-held pull keeps its
// deadline. On Stop every waiter wakes with kShutdown; when the node stops leading, every waiter
// wakes with kLeadershipLost (WakeAll), so its client asks the new leader at once instead of
// waiting out its hold on a node that may never see another write (a deposed leader cut off).
//
// Lost wake-ups: Hold registers first and then reads the queue's max offset, and Notify runs
// after the max offset is published, so a message dispatched around Hold wakes it either way.
//
// Threading: Hold and Notify from any thread; wakers on the service's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/background_worker.h"
#include "common/clock.h"

namespace raftmq::broker {

enum class WakeReason { kArrived, kTimeout, kShutdown, kLeadershipLost };

// What a held call that woke with kShutdown or kLeadershipLost answers (UNAVAILABLE, refused).
std::string WakeRefusal(WakeReason reason);

class LongPollingService {
 public:
  // Answers the pull (nullopt) or asks to keep waiting from the returned offset.
  using Waker = std::function<std::optional<uint64_t>(WakeReason reason)>;
  // The queue's max offset (the next offset to be written); 0 for an unknown queue.
  using MaxOffsetFn = std::function<uint64_t(const std::string& topic, int32_t queue_id)>;

  // `clock` outlives the service.
  LongPollingService(uint32_t requests_max, MaxOffsetFn max_offset, const Clock* clock);
  ~LongPollingService();
  LongPollingService(const LongPollingService&) = delete;
  LongPollingService& operator=(const LongPollingService&) = delete;

  void Start();
  // Wakes every waiter with kShutdown and joins the thread; later Holds are refused.
  void Stop();

  // Holds a pull that found nothing at `offset` until max offset > offset or the clock's
  // steady time reaches `deadline_ms`; a receive of pop `group` also until WakeGroup(group).
  // False (and `waker` dropped unrun) when long_polling_requests_max pulls are held or the
  // service is stopped: the caller answers at once.
  bool Hold(const std::string& topic, int32_t queue_id, uint64_t offset, int64_t deadline_ms, Waker waker,
            std::string group = "");

  // The queue now holds entries below `max_offset`.
  void Notify(const std::string& topic, int32_t queue_id, uint64_t max_offset);
  // The pop state of `group` (not "") on the queue changed: its held receives wake (kArrived).
  void WakeGroup(const std::string& topic, int32_t queue_id, const std::string& group);
  // Every held pull and receive wakes with `reason` (kLeadershipLost).
  void WakeAll(WakeReason reason);

  size_t HeldCount() const;
  // Reads the clock again now (it was moved by hand) and answers the pulls it made due.
  void Recheck();
  const Clock* clock() const { return clock_; }

 private:
  using Key = std::pair<std::string, int32_t>;
  struct Waiter {
    Key key;
    uint64_t offset = 0;
    int64_t deadline_ms = 0;
    Waker waker;
    std::string group;  // "" for a pull
  };
  struct Due {
    Waiter waiter;
    WakeReason reason;
  };

  // One round of the worker: runs every due waker; returns the wait until the next deadline.
  std::optional<std::chrono::milliseconds> RunDue();
  // Caller holds mutex_. Moves waiter `id` out of every index.
  Waiter TakeLocked(uint64_t id);
  std::vector<Due> CollectDueLocked(int64_t now_ms);
  void Insert(Waiter waiter);
  // Moves the waiters of `key` that `wakes` picks to due_ (kArrived) and wakes the worker.
  void WakeQueue(const Key& key, const std::function<bool(const Waiter&)>& wakes);

  const uint32_t requests_max_;
  const MaxOffsetFn max_offset_;
  const Clock* const clock_;

  mutable std::mutex mutex_;
  bool stopped_ = false;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Waiter> waiters_;
  std::map<Key, std::vector<uint64_t>> by_queue_;
  std::multimap<int64_t, uint64_t> by_deadline_;  // deadline_ms -> waiter id
  std::vector<Due> due_;  // woken by Notify, not yet run (counted as held)
  BackgroundWorker worker_;  // last: its thread stops before the rest goes
};

}  // namespace raftmq::broker
