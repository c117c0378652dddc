#include "client/queue_pull_loop.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "client/pull_message.h"
#include "common/assert.h"

namespace raftmq::client {

QueuePullLoop::QueuePullLoop(BrokerClient* brokers, const PushConsumerOptions* options, OffsetStore* store,
                             MessageQueue queue, std::string tag_expression,
                             std::shared_ptr<ProcessQueue> process_queue, Dispatch dispatch)
    : brokers_(brokers),
      options_(options),
      store_(store),
      queue_(std::move(queue)),
      tag_expression_(std::move(tag_expression)),
      process_queue_(std::move(process_queue)),
      dispatch_(std::move(dispatch)) {
  RMQ_ASSERT(process_queue_ != nullptr);
  RMQ_ASSERT(dispatch_ != nullptr);
  thread_ = std::thread([this] { Run(); });
}

QueuePullLoop::~QueuePullLoop() { Stop(); }

void QueuePullLoop::Stop() {
  process_queue_->StopPulling();
  canceller_.Cancel();
  if (thread_.joinable()) thread_.join();
}

void QueuePullLoop::Run() {
  // Flow control waits in slices so a pause shows in the log once per slice, not per message.
  constexpr int64_t kPauseLogIntervalMs = 1000;
  while (!process_queue_->pulling_stopped()) {
    if (auto reason = process_queue_->PauseReason(options_->flow_control)) {
      pause_count_.fetch_add(1);
      spdlog::debug("pulls of {} paused: {}", queue_.ToString(), *reason);
      while (!process_queue_->WaitUntilPullable(options_->flow_control, kPauseLogIntervalMs)) {
        if (process_queue_->pulling_stopped()) return;
      }
    }
    PullOnce();
  }
}

void QueuePullLoop::PullOnce() {
  PullRequest request{.consumer_group = options_->consumer_group,
                      .queue = queue_,
                      .offset = process_queue_->next_pull_offset(),
                      .max_messages = options_->pull_batch_size,
                      .tag_expression = tag_expression_,
                      .long_polling_timeout_ms = options_->long_polling_timeout_ms};
  auto pulled = PullMessage(*brokers_, request, options_->client.rpc_timeout_ms, &canceller_);
  if (process_queue_->pulling_stopped()) return;
  if (!pulled.ok()) {
    spdlog::warn("pull of {} at {} failed: {}", queue_.ToString(), request.offset, pulled.status().ToString());
    process_queue_->SleepUnlessStopped(options_->pull_time_delay_ms_when_exception);
    return;
  }
  switch (pulled->outcome) {
    case PullResult::Outcome::kOffsetIllegal:
      MoveIntoRange(pulled->min_offset, pulled->max_offset);
      return;
    case PullResult::Outcome::kNoNewMessage:
      process_queue_->PutMessages({}, pulled->next_offset);
      // Nothing cached and the broker skipped filtered offsets: the commit offset moves too.
      if (process_queue_->cached_count() == 0 && !process_queue_->dropped()) {
        store_->Update(queue_, process_queue_->CommitOffset());
      }
      return;
    case PullResult::Outcome::kFound:
      process_queue_->PutMessages(pulled->messages, pulled->next_offset);
      dispatch_(queue_, process_queue_, std::move(pulled->messages));
      return;
  }
}

void QueuePullLoop::MoveIntoRange(int64_t min_offset, int64_t max_offset) {
  const int64_t current = process_queue_->next_pull_offset();
  const int64_t moved = std::clamp(current, min_offset, std::max(min_offset, max_offset));
  spdlog::warn("offset {} of {} is outside [{}, {}]: continuing at {}", current, queue_.ToString(), min_offset,
               max_offset, moved);
  process_queue_->ResetOffset(moved);
  if (!process_queue_->dropped()) store_->Update(queue_, moved);
}

}  // namespace raftmq::client
