#include "broker/pull_handler.h"

#include <algorithm>
#include <memory>

#include "broker/invalid_argument.h"
#include "broker/names.h"
#include "broker/send_validator.h"
#include "common/assert.h"

namespace raftmq::broker {

// One pull in flight: what answering it later needs.
struct PullHandler::PendingPull {
  grpc::CallbackServerContext* server_context;
  const messaging::PullMessageRequest* request;
  messaging::PullMessageResponse* response;
  grpc::ServerUnaryReactor* reactor;
  TagFilter filter;
  // The queue's bounds when the offset was outside them: sent as trailing metadata only once
  // the read barrier passed (before, they may be stale).
  uint64_t min_offset = 0;
  uint64_t max_offset = 0;
};

namespace {

grpc::Status CheckNumbers(const messaging::PullMessageRequest& request) {
  if (request.queue_id() < 0) return InvalidArgument("queue id " + std::to_string(request.queue_id()) + " is negative");
  if (request.queue_offset() < 0) return InvalidArgument("queue offset " + std::to_string(request.queue_offset()) + " is negative");
  if (request.max_messages() < 0) return InvalidArgument("max_messages is negative");
  if (request.max_bytes() < 0) return InvalidArgument("max_bytes is negative");
  if (request.long_polling_timeout_ms() < 0) return InvalidArgument("long_polling_timeout_ms is negative");
  return grpc::Status::OK;
}

}  // namespace

PullHandler::PullHandler(const ServiceContext* context)
    : context_(context), reader_(context->log, context->options),
      gate_(context->options, context->replicator, context->machine) {
  RMQ_ASSERT(context_->queues != nullptr);
  RMQ_ASSERT(context_->long_polling != nullptr);
}

grpc::Status PullHandler::Check(PendingPull* pull) const {
  const messaging::PullMessageRequest& request = *pull->request;
  grpc::Status status = CheckGroupName(request.consumer_group());
  if (status.ok()) status = CheckName("topic", request.topic());
  if (status.ok()) status = CheckNumbers(request);
  if (!status.ok()) return status;
  auto topic = context_->topics->Find(request.topic());
  if (!topic) return {grpc::StatusCode::NOT_FOUND, "topic '" + request.topic() + "' does not exist"};
  status = CheckTopicReadable(*topic, request.queue_id());
  if (!status.ok()) return status;
  const storage::ConsumeQueue* queue = context_->queues->Find(request.topic(), static_cast<uint32_t>(request.queue_id()));
  const auto offset = static_cast<uint64_t>(request.queue_offset());
  const uint64_t min_offset = queue ? queue->MinOffset() : 0;
  const uint64_t max_offset = queue ? queue->MaxOffset() : 0;
  if (offset < min_offset || offset > max_offset) return OutOfRange(pull, queue, offset);
  auto filter = TagFilter::Parse(request.tag_expression());
  if (!filter.ok()) return InvalidArgument(filter.status().message());
  pull->filter = std::move(filter).value();
  return grpc::Status::OK;
}

void PullHandler::Handle(grpc::CallbackServerContext* server_context, const messaging::PullMessageRequest* request,
                         messaging::PullMessageResponse* response, grpc::ServerUnaryReactor* reactor) const {
  auto pull = std::make_shared<PendingPull>(PendingPull{server_context, request, response, reactor, TagFilter()});
  // LeaderGate's read rule: read here, answer once the barrier started after it passed.
  const auto read = [this, pull]() -> grpc::Status {
    grpc::Status status = Check(pull.get());
    if (!status.ok()) return status;
    return Read(pull.get(), static_cast<uint64_t>(pull->request->queue_offset()), pull->response);
  };
  gate_.Read(server_context, read, [this, pull](grpc::Status status) { Answer(std::move(pull), status); });
}

grpc::Status PullHandler::OutOfRange(PendingPull* pull, const storage::ConsumeQueue* queue, uint64_t offset) {
  pull->min_offset = queue ? queue->MinOffset() : 0;
  pull->max_offset = queue ? queue->MaxOffset() : 0;
  return {grpc::StatusCode::OUT_OF_RANGE, "offset " + std::to_string(offset) + " is outside [" +
                                              std::to_string(pull->min_offset) + ", " +
                                              std::to_string(pull->max_offset) + "] of " + pull->request->topic() +
                                              "/" + std::to_string(pull->request->queue_id())};
}

void PullHandler::Finish(const PendingPull& pull, const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
    pull.server_context->AddTrailingMetadata(kMinOffsetKey, std::to_string(pull.min_offset));
    pull.server_context->AddTrailingMetadata(kMaxOffsetKey, std::to_string(pull.max_offset));
  }
  pull.reactor->Finish(status);
}

void PullHandler::Answer(std::shared_ptr<PendingPull> pull, const grpc::Status& status) const {
  if (!status.ok() || pull->response->messages_size() > 0 || pull->request->long_polling_timeout_ms() == 0) {
    return Finish(*pull, status);
  }
  const auto offset = static_cast<uint64_t>(pull->response->next_queue_offset());
  Hold(std::move(pull), offset);
}

grpc::Status PullHandler::Read(PendingPull* pull, uint64_t offset, messaging::PullMessageResponse* response) const {
  const messaging::PullMessageRequest& request = *pull->request;
  response->Clear();
  response->set_next_queue_offset(static_cast<int64_t>(offset));
  const storage::ConsumeQueue* queue = context_->queues->Find(request.topic(), static_cast<uint32_t>(request.queue_id()));
  if (queue == nullptr) return grpc::Status::OK;
  response->set_min_offset(static_cast<int64_t>(queue->MinOffset()));
  response->set_max_offset(static_cast<int64_t>(queue->MaxOffset()));
  if (offset >= queue->MaxOffset()) return grpc::Status::OK;
  const BrokerOptions& options = *context_->options;
  uint32_t messages_max = request.max_messages() == 0 ? options.pull_messages_default
                                                      : std::min<uint32_t>(request.max_messages(), options.pull_messages_max);
  uint64_t bytes_max = request.max_bytes() == 0 ? options.pull_bytes_max
                                                : std::min<uint64_t>(request.max_bytes(), options.pull_bytes_max);
  auto batch = reader_.Read(*queue, request.queue_id(), offset, messages_max, bytes_max, pull->filter);
  if (!batch.ok()) {
    // Retention raised the min offset between the check and this read.
    if (batch.status().IsNotFound() && offset < queue->MinOffset()) return OutOfRange(pull, queue, offset);
    return {grpc::StatusCode::INTERNAL, batch.status().ToString()};
  }
  for (auto& message : batch->messages) *response->add_messages() = std::move(message);
  response->set_next_queue_offset(static_cast<int64_t>(batch->next_offset));
  return grpc::Status::OK;
}

void PullHandler::Hold(std::shared_ptr<PendingPull> pull, uint64_t offset) const {
  const int64_t hold_ms = std::min(pull->request->long_polling_timeout_ms(), context_->options->long_polling_hold_ms_max);
  const int64_t deadline_ms = context_->clock->SteadyNowMs() + hold_ms;
  // Copied: once the waker runs, the call (and its request) may be gone.
  const std::string topic = pull->request->topic();
  const int32_t queue_id = pull->request->queue_id();
  auto waker = [this, pull, offset](WakeReason reason) mutable -> std::optional<uint64_t> {
    if (reason == WakeReason::kShutdown || reason == WakeReason::kLeadershipLost) {
      pull->reactor->Finish(gate_.Refuse(pull->server_context, WakeRefusal(reason)));
      return std::nullopt;
    }
    grpc::Status status = Read(pull.get(), offset, pull->response);
    const auto next = static_cast<uint64_t>(pull->response->next_queue_offset());
    if (status.ok() && reason == WakeReason::kArrived && pull->response->messages_size() == 0 && next > offset) {
      offset = next;  // only filtered-out messages arrived: keep waiting past them
      return next;
    }
    Finish(*pull, status);
    return std::nullopt;
  };
  // Over long_polling_requests_max: answer the empty result at once.
  if (!context_->long_polling->Hold(topic, queue_id, offset, deadline_ms, std::move(waker))) {
    pull->reactor->Finish(grpc::Status::OK);
  }
}

}  // namespace raftmq::broker
