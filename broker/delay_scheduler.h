// DelayScheduler: moves messages that waited out their retry delay from SCHEDULE_TOPIC_XXXX
// queue (level - 1) to their real topic (RocketMQ's ScheduleMessageService). Runs on the
// leader only, every schedule_interval_ms: per level, it reads from the level's progress
// (committed offset of group %SCHEDULE%), proposes the due prefix (store time + the level's
// delay <= now) to the real topics, then commits the new progress through Raft. A failover
// between the two proposals redelivers those messages once more (at-least-once).
//
// Threading: its own thread (a BackgroundWorker reading the context's clock); RunOnce is also
// callable directly (tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/service_context.h"
#include "common/background_worker.h"
#include "common/result.h"
#include "storage/message_record.h"

namespace raftmq::broker {

class DelayScheduler {
 public:
  explicit DelayScheduler(const ServiceContext* context);
  ~DelayScheduler();
  DelayScheduler(const DelayScheduler&) = delete;
  DelayScheduler& operator=(const DelayScheduler&) = delete;

  void Start();
  void Stop();

  // One round over every level at wall-clock `now_ms`: the number of messages moved. Does
  // nothing on a node that does not serve as leader.
  Result<size_t> RunOnce(int64_t now_ms);

 private:
  Result<size_t> MoveLevel(uint32_t level, int64_t now_ms);
  Status MoveMessages(std::vector<storage::Message> due);
  std::optional<std::chrono::milliseconds> Round();

  const ServiceContext* const context_;
  const std::vector<int64_t> delay_levels_ms_;
  BackgroundWorker worker_;  // last: its thread stops before the rest goes
};

}  // namespace raftmq::broker
