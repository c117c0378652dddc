#include "broker/retry_handler.h"

#include <algorithm>
#include <utility>

#include "broker/delay_levels.h"
#include "broker/message_proposer.h"
#include "broker/names.h"
#include "broker/send_validator.h"
#include "common/assert.h"

namespace raftmq::broker {
namespace {

// Retry and DLQ topics have one queue, as RocketMQ's retryQueueNums / DLQ_NUMS_PER_GROUP.
constexpr int32_t kRetryQueueNums = 1;

grpc::Status Invalid(const std::string& message) { return {grpc::StatusCode::INVALID_ARGUMENT, message}; }

}  // namespace

RetryHandler::RetryHandler(const ServiceContext* context, const LeaderGate* gate, const TopicCreator* creator)
    : context_(context),
      gate_(gate),
      creator_(creator),
      delay_levels_ms_(ParseDelayLevels(context->options->message_delay_level).value()) {
  RMQ_ASSERT(gate_ != nullptr && creator_ != nullptr);
  RMQ_ASSERT(!delay_levels_ms_.empty());
}

grpc::Status RetryHandler::Find(const messaging::SendBackMessageRequest& request, storage::Message* message) const {
  grpc::Status status = CheckGroupName(request.consumer_group());
  if (status.ok()) status = CheckName("topic", request.topic());
  if (!status.ok()) return status;
  if (request.queue_id() < 0 || request.queue_offset() < 0 || request.delay_level() < 0) {
    return Invalid("queue id, queue offset and delay level must not be negative");
  }
  auto topic = context_->topics->Find(request.topic());
  if (!topic) return {grpc::StatusCode::NOT_FOUND, "topic '" + request.topic() + "' does not exist"};
  const storage::ConsumeQueue* queue = context_->queues->Find(request.topic(), static_cast<uint32_t>(request.queue_id()));
  const auto offset = static_cast<uint64_t>(request.queue_offset());
  if (queue == nullptr || offset < queue->MinOffset() || offset >= queue->MaxOffset()) {
    return {grpc::StatusCode::OUT_OF_RANGE, "no message at offset " + std::to_string(offset) + " of " +
                                                request.topic() + "/" + std::to_string(request.queue_id())};
  }
  auto entry = queue->Get(offset);
  if (!entry.ok()) return {grpc::StatusCode::INTERNAL, entry.status().ToString()};
  auto bytes = context_->log->ReadAt(entry->commit_log_position, entry->size);
  if (!bytes.ok()) return {grpc::StatusCode::INTERNAL, bytes.status().ToString()};
  auto decoded = storage::DecodeMessageRecord(*bytes, 0);
  if (!decoded.ok()) return {grpc::StatusCode::INTERNAL, decoded.status().ToString()};
  *message = std::move(decoded).value();
  return grpc::Status::OK;
}

storage::Message RetryHandler::Redelivery(const messaging::SendBackMessageRequest& request,
                                          const storage::Message& original, std::string* topic) const {
  storage::Message copy = original;
  copy.reconsume_times = original.reconsume_times + 1;
  copy.store_timestamp_ms = context_->clock->UnixNowMs();
  copy.properties.try_emplace(std::string(kPropertyRetryTopic), original.topic);
  copy.properties.try_emplace(std::string(kPropertyOriginMessageId), original.message_id);
  copy.queue_id = 0;
  if (original.reconsume_times >= static_cast<uint32_t>(context_->options->max_reconsume_times)) {
    *topic = DlqTopic(request.consumer_group());
    copy.topic = *topic;
    return copy;
  }
  *topic = RetryTopic(request.consumer_group());
  const auto levels = static_cast<int64_t>(delay_levels_ms_.size());
  int64_t level = request.delay_level() > 0 ? request.delay_level() : 3 + static_cast<int64_t>(original.reconsume_times);
  level = std::clamp<int64_t>(level, 1, levels);
  copy.properties[std::string(kPropertyRealTopic)] = *topic;
  copy.properties[std::string(kPropertyRealQueueId)] = "0";
  copy.properties[std::string(kPropertyDelayLevel)] = std::to_string(level);
  copy.topic = std::string(kScheduleTopic);
  copy.queue_id = static_cast<uint32_t>(level - 1);
  return copy;
}

void RetryHandler::Handle(grpc::CallbackServerContext* call, const messaging::SendBackMessageRequest* request,
                          grpc::ServerUnaryReactor* reactor) const {
  storage::Message original;
  grpc::Status status = gate_->Check(call);
  if (status.ok()) status = Find(*request, &original);
  if (!status.ok()) return reactor->Finish(status);
  std::string topic;
  storage::Message copy = Redelivery(*request, original, &topic);
  creator_->Ensure(call, topic, /*create=*/true, kRetryQueueNums,
                   [this, call, reactor, copy = std::move(copy)](grpc::Status found, const admin::TopicConfig&) {
                     if (!found.ok()) return reactor->Finish(found);
                     ProposeMessages(context_->replicator, std::span(&copy, 1),
                                     [this, call, reactor](Result<std::vector<int64_t>> offsets) {
                                       reactor->Finish(offsets.ok() ? grpc::Status::OK
                                                                    : gate_->FromProposeError(offsets.status(), call));
                                     });
                   });
}

}  // namespace raftmq::broker
