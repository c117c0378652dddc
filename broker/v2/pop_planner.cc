#include "broker/v2/pop_planner.h"

#include <algorithm>
#include <utility>

#include "broker/names.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

PopHandle Handle(const PopInFlight& entry) {
  PopHandle handle;
  handle.set_offset(entry.offset());
  handle.set_epoch(entry.epoch());
  return handle;
}

}  // namespace

storage::Message DeadLetterCopy(const messaging::MessageExt& stored, const std::string& group, int32_t attempt,
                                int64_t now_ms) {
  const messaging::Message& message = stored.message();
  storage::Message copy;
  copy.topic = DlqTopic(group);
  copy.queue_id = 0;
  copy.tag = message.tag();
  copy.keys.assign(message.keys().begin(), message.keys().end());
  copy.properties.insert(message.properties().begin(), message.properties().end());
  copy.properties.try_emplace(std::string(kPropertyRetryTopic), message.topic());
  copy.body = message.body();
  copy.born_timestamp_ms = message.born_timestamp_ms();
  copy.store_timestamp_ms = now_ms;
  copy.message_id = message.message_id();
  copy.reconsume_times = static_cast<uint32_t>(attempt);
  return copy;
}

PopPlanner::PopPlanner(const ServiceContext* context)
    : context_(context), reader_(context->log, context->options) {
  RMQ_ASSERT(context_->machine != nullptr && context_->queues != nullptr);
}

Result<PopPlan> PopPlanner::Plan(const PopRequest& request, int64_t now_ms) const {
  RMQ_ASSERT(request.batch_max > 0);
  RMQ_ASSIGN_OR_RETURN(std::optional<PopQueueState> stored,
                       context_->machine->pops().Load(request.group, request.topic, request.queue_id));
  PopQueueState state;
  if (stored) {
    state = std::move(*stored);
  } else {
    state.set_pop_offset(-1);
  }
  PopPlan plan;
  PopCommand& command = plan.command;
  command.set_consumer_group(request.group);
  command.set_topic(request.topic);
  command.set_queue_id(request.queue_id);
  command.set_expected_pop_offset(state.pop_offset());
  command.set_next_pop_offset(state.pop_offset());
  command.set_deadline_ms(now_ms + request.invisible_duration_ms);
  const storage::ConsumeQueue* queue =
      context_->queues->Find(request.topic, static_cast<uint32_t>(request.queue_id));
  RMQ_RETURN_IF_ERROR(PlanExpired(request, state, now_ms, &plan));
  RMQ_RETURN_IF_ERROR(PlanNew(request, state, queue, &plan));
  plan.hold_offset = queue != nullptr ? queue->MaxOffset() : 0;
  for (const PopInFlight& entry : state.in_flight()) {
    if (entry.deadline_ms() > now_ms && (!plan.next_deadline_ms || entry.deadline_ms() < *plan.next_deadline_ms)) {
      plan.next_deadline_ms = entry.deadline_ms();
    }
  }
  return plan;
}

Result<std::optional<messaging::MessageExt>> PopPlanner::ReadAt(const std::string& topic, int32_t queue_id,
                                                                int64_t offset) const {
  using Found = std::optional<messaging::MessageExt>;
  const storage::ConsumeQueue* queue = context_->queues->Find(topic, static_cast<uint32_t>(queue_id));
  const auto at = static_cast<uint64_t>(offset);
  if (queue == nullptr || offset < 0 || at < queue->MinOffset() || at >= queue->MaxOffset()) return Found();
  RMQ_ASSIGN_OR_RETURN(PullBatch read,
                       reader_.Read(*queue, queue_id, at, 1, context_->options->pull_bytes_max, TagFilter()));
  if (read.messages.empty() || read.messages.front().queue_offset() != offset) return Found();
  return Found(std::move(read.messages.front()));
}

Status PopPlanner::PlanExpired(const PopRequest& request, const PopQueueState& state, int64_t now_ms,
                               PopPlan* plan) const {
  const int32_t deliveries_max = context_->options->max_reconsume_times + 1;
  size_t handled = 0;
  for (const PopInFlight& entry : state.in_flight()) {
    if (entry.deadline_ms() > now_ms) continue;
    if (handled == request.batch_max) break;
    ++handled;
    RMQ_ASSIGN_OR_RETURN(std::optional<messaging::MessageExt> message,
                         ReadAt(request.topic, request.queue_id, entry.offset()));
    if (!message) {
      *plan->command.add_remove() = Handle(entry);  // the queue no longer holds it (retention)
    } else if (entry.attempt() >= deliveries_max) {
      plan->dead.push_back(DeadLetterCopy(*message, request.group, entry.attempt(), now_ms));
      *plan->command.add_remove() = Handle(entry);
    } else {
      *plan->command.add_redeliver() = Handle(entry);
      plan->deliveries.push_back(PopDelivery{std::move(*message), entry.attempt() + 1});
    }
  }
  return Status::Ok();
}

Status PopPlanner::PlanNew(const PopRequest& request, const PopQueueState& state, const storage::ConsumeQueue* queue,
                           PopPlan* plan) const {
  if (queue == nullptr) return Status::Ok();
  const uint64_t start = std::max<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(state.pop_offset(), 0)),
                                            queue->MinOffset());
  plan->command.set_next_pop_offset(static_cast<int64_t>(start));
  const size_t in_flight_max = context_->options->pop_in_flight_max;
  const size_t in_flight =
      static_cast<size_t>(state.in_flight_size()) - static_cast<size_t>(plan->command.remove_size());
  const size_t room = in_flight_max > in_flight ? in_flight_max - in_flight : 0;
  const size_t wanted = std::min<size_t>(request.batch_max - plan->deliveries.size(), room);
  if (wanted == 0 || start >= queue->MaxOffset()) return Status::Ok();
  RMQ_ASSIGN_OR_RETURN(PullBatch read, reader_.Read(*queue, request.queue_id, start, static_cast<uint32_t>(wanted),
                                                    context_->options->pull_bytes_max, request.filter));
  for (messaging::MessageExt& message : read.messages) {
    plan->command.add_offsets(message.queue_offset());
    plan->deliveries.push_back(PopDelivery{std::move(message), 1});
  }
  plan->command.set_next_pop_offset(static_cast<int64_t>(read.next_offset));
  return Status::Ok();
}

}  // namespace raftmq::broker::v2
