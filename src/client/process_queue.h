// ProcessQueue: a push consumer's cache of pulled, not yet consumed messages of one queue
// (RocketMQ's ProcessQueue). It answers two questions:
//  - which offset may be committed: the lowest offset still cached, or, with nothing cached,
//    the next offset to pull. Consuming out of order never commits past an unconsumed message;
//  - whether pulling must pause (flow control): too many messages, too many body bytes, or
//    too wide a span between the lowest and highest cached offsets.
//
// Invariants: every cached offset < next_pull_offset(); CommitOffset() <= next_pull_offset();
// cached_bytes() is the sum of the cached bodies.
// Thread-safety: every method may be called from any thread (one mutex); the pull loop adds,
// consume threads remove, the offset persister reads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proto/messaging.pb.h"

namespace raftmq::client {

struct FlowControlLimits {
  int64_t pull_threshold_for_queue = 1000;           // cached messages
  int64_t pull_threshold_size_for_queue_mib = 100;   // cached body bytes, in MiB
  int64_t consume_concurrently_max_span = 2000;      // highest - lowest cached offset
};

class ProcessQueue {
 public:
  // `start_offset`: where pulling starts; committed as is until something is consumed.
  explicit ProcessQueue(int64_t start_offset);

  // Caches a pulled batch and moves the next pull offset to `next_pull_offset`, which may jump
  // past offsets the broker filtered out by tag.
  void PutMessages(const std::vector<messaging::MessageExt>& messages, int64_t next_pull_offset);
  // Forgets consumed messages; returns the offset that may now be committed.
  int64_t RemoveMessages(const std::vector<int64_t>& offsets);
  // Moves the pull position after the broker said the offset was out of range; drops the cache.
  void ResetOffset(int64_t offset);

  int64_t CommitOffset() const;
  int64_t next_pull_offset() const;
  int64_t cached_count() const;
  int64_t cached_bytes() const;
  // Highest - lowest cached offset; 0 when empty.
  int64_t span() const;
  // Why pulling must pause ("1000 cached messages"), or nullopt to go on.
  std::optional<std::string> PauseReason(const FlowControlLimits& limits) const;
  // Waits until PauseReason is nullopt, pulling stops or `timeout_ms` passes; true when
  // pulling may go on.
  bool WaitUntilPullable(const FlowControlLimits& limits, int64_t timeout_ms);
  // Waits `timeout_ms` unless pulling stops first (backoff after an error); true if it did not.
  bool SleepUnlessStopped(int64_t timeout_ms);

  // The consumer stops: no more pulls, but consumed messages still move the commit offset.
  void StopPulling();
  bool pulling_stopped() const;
  // The queue went to another consumer: no more pulls and no more commits (the new owner may
  // already consume it; a late commit from here could move its offset backwards).
  void Drop();
  bool dropped() const;

 private:
  std::optional<std::string> PauseReasonLocked(const FlowControlLimits& limits) const;

  mutable std::mutex mutex_;
  std::condition_variable changed_cv_;  // a removal or a drop: a paused pull may go on
  std::map<int64_t, int64_t> body_bytes_by_offset_;
  int64_t cached_bytes_ = 0;
  int64_t next_pull_offset_;
  bool pulling_stopped_ = false;
  bool dropped_ = false;  // implies pulling_stopped_
};

}  // namespace raftmq::client
