#include "broker/messaging_service.h"

#include <utility>

#include "broker/names.h"

namespace raftmq::broker {

MessagingService::MessagingService(const ServiceContext* context)
    : context_(context),
      gate_(context->options, context->replicator, context->machine),
      pull_(context),
      commits_(context->replicator, context->options->offset_commits_batch_max),
      creator_(context, &gate_),
      retry_(context, &gate_, &creator_),
      sender_(context, &gate_, &creator_) {}

grpc::ServerUnaryReactor* MessagingService::SendMessage(grpc::CallbackServerContext* call,
                                                        const messaging::SendMessageRequest* request,
                                                        messaging::SendMessageResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  sender_.Send(call, request, response, [reactor](grpc::Status status) { reactor->Finish(status); });
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::PullMessage(grpc::CallbackServerContext* call,
                                                        const messaging::PullMessageRequest* request,
                                                        messaging::PullMessageResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  pull_.Handle(call, request, response, reactor);
  return reactor;
}

grpc::Status MessagingService::CheckCommit(const messaging::CommitOffsetRequest& request,
                                           grpc::CallbackServerContext* call) const {
  grpc::Status status = gate_.Check(call);
  if (!status.ok()) return status;
  OffsetCommit commit;
  commit.set_consumer_group(request.consumer_group());
  commit.set_topic(request.topic());
  commit.set_queue_id(request.queue_id());
  commit.set_offset(request.offset());
  status = ConsumerOffsetManager::CheckCommit(commit);
  if (!status.ok()) return status;
  auto topic = context_->topics->Find(request.topic());
  if (!topic) return {grpc::StatusCode::NOT_FOUND, "topic '" + request.topic() + "' does not exist"};
  if (request.queue_id() >= topic->read_queue_nums()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "queue id " + std::to_string(request.queue_id()) +
                                                    " is not below read_queue_nums of topic '" + request.topic() + "'"};
  }
  const storage::ConsumeQueue* queue = context_->queues->Find(request.topic(), static_cast<uint32_t>(request.queue_id()));
  const uint64_t max = queue ? queue->MaxOffset() : 0;
  if (static_cast<uint64_t>(request.offset()) > max) {
    return {grpc::StatusCode::OUT_OF_RANGE,
            "offset " + std::to_string(request.offset()) + " is past the queue's max offset " + std::to_string(max)};
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* MessagingService::CommitOffset(grpc::CallbackServerContext* call,
                                                         const messaging::CommitOffsetRequest* request,
                                                         messaging::CommitOffsetResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = CheckCommit(*request, call);
  if (!status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  OffsetCommit commit;
  commit.set_consumer_group(request->consumer_group());
  commit.set_topic(request->topic());
  commit.set_queue_id(request->queue_id());
  commit.set_offset(request->offset());
  commits_.Commit(std::move(commit), [this, call, reactor](const Status& committed) {
    reactor->Finish(committed.ok() ? grpc::Status::OK : gate_.FromProposeError(committed, call));
  });
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::QueryOffset(grpc::CallbackServerContext* call,
                                                        const messaging::QueryOffsetRequest* request,
                                                        messaging::QueryOffsetResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = CheckName("consumer group", request->consumer_group());
  if (status.ok()) status = CheckName("topic", request->topic());
  if (status.ok() && request->queue_id() < 0) status = {grpc::StatusCode::INVALID_ARGUMENT, "queue id is negative"};
  if (!status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  gate_.FinishRead(call, reactor, [this, request, response]() -> grpc::Status {
    auto offset = context_->offsets->Query(request->consumer_group(), request->topic(), request->queue_id());
    if (!offset.ok()) return {grpc::StatusCode::INTERNAL, offset.status().ToString()};
    if (!offset->has_value()) {
      return {grpc::StatusCode::NOT_FOUND, "group '" + request->consumer_group() + "' never committed on " +
                                               request->topic() + "/" + std::to_string(request->queue_id())};
    }
    response->set_offset(**offset);
    return grpc::Status::OK;
  });
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::Heartbeat(grpc::CallbackServerContext* call,
                                                      const messaging::HeartbeatRequest* request,
                                                      messaging::HeartbeatResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(context_->consumers->Heartbeat(*request, context_->clock->SteadyNowMs()));
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::GetConsumerList(grpc::CallbackServerContext* call,
                                                            const messaging::GetConsumerListRequest* request,
                                                            messaging::GetConsumerListResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = CheckName("consumer group", request->consumer_group());
  if (status.ok()) {
    for (std::string& id : context_->consumers->ConsumerList(request->consumer_group(), context_->clock->SteadyNowMs())) {
      response->add_client_ids(std::move(id));
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::SendBackMessage(grpc::CallbackServerContext* call,
                                                            const messaging::SendBackMessageRequest* request,
                                                            messaging::SendBackMessageResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  retry_.Handle(call, request, reactor);
  return reactor;
}

}  // namespace raftmq::broker
