#include "broker/messaging_service.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "broker/message_proposer.h"
#include "broker/names.h"
#include "broker/send_validator.h"
#include "common/assert.h"
#include "storage/message_record.h"

namespace raftmq::broker {
namespace {

storage::Message ToStorage(const messaging::Message& message, uint32_t queue_id, int64_t now_ms, std::string id) {
  storage::Message out;
  out.topic = message.topic();
  out.queue_id = queue_id;
  out.tag = message.tag();
  out.keys.assign(message.keys().begin(), message.keys().end());
  out.properties.insert(message.properties().begin(), message.properties().end());
  out.body = message.body();
  out.born_timestamp_ms = message.born_timestamp_ms();
  out.store_timestamp_ms = now_ms;
  out.message_id = std::move(id);
  return out;
}

}  // namespace

MessagingService::MessagingService(const ServiceContext* context)
    : context_(context),
      gate_(context->options, context->replicator, context->machine),
      pull_(context),
      commits_(context->replicator, context->options->offset_commits_batch_max),
      creator_(context, &gate_),
      retry_(context, &gate_, &creator_) {}

std::string MessagingService::NewMessageId(int64_t now_ms) {
  // Unique per node and call: node id, wall clock ms, a counter (RocketMQ's UNIQ_KEY idea).
  char id[40];
  std::snprintf(id, sizeof(id), "%04llX%012llX%08llX", static_cast<unsigned long long>(context_->options->node_id & 0xFFFF),
                static_cast<unsigned long long>(now_ms) & 0xFFFFFFFFFFFFull,
                static_cast<unsigned long long>(message_id_counter_.fetch_add(1) & 0xFFFFFFFFull));
  return id;
}

grpc::ServerUnaryReactor* MessagingService::SendMessage(grpc::CallbackServerContext* call,
                                                        const messaging::SendMessageRequest* request,
                                                        messaging::SendMessageResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  grpc::Status status = gate_.Check(call);
  if (status.ok()) status = CheckSendRequest(*request, *context_->options);
  if (!status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  const BrokerOptions& options = *context_->options;
  creator_.Ensure(call, request->messages(0).topic(), options.auto_create_topic_enable, options.default_topic_queue_nums,
                  [=, this](grpc::Status found, const admin::TopicConfig& topic) {
                    if (found.ok()) found = CheckTopicWritable(topic, request->queue_id());
                    if (!found.ok()) return reactor->Finish(found);
                    Send(call, request, response, reactor);
                  });
  return reactor;
}

void MessagingService::Send(grpc::CallbackServerContext* call, const messaging::SendMessageRequest* request,
                            messaging::SendMessageResponse* response, grpc::ServerUnaryReactor* reactor) {
  const int64_t now_ms = context_->clock->UnixNowMs();
  std::vector<storage::Message> messages;
  messages.reserve(static_cast<size_t>(request->messages_size()));
  for (const messaging::Message& message : request->messages()) {
    std::string id = message.message_id().empty() ? NewMessageId(now_ms) : message.message_id();
    messages.push_back(ToStorage(message, static_cast<uint32_t>(request->queue_id()), now_ms, std::move(id)));
  }
  std::vector<std::string> ids;
  for (const storage::Message& message : messages) ids.push_back(message.message_id);
  ProposeMessages(context_->replicator, messages,
                  [this, call, request, response, reactor, ids = std::move(ids)](Result<std::vector<int64_t>> offsets) {
                    if (!offsets.ok()) return reactor->Finish(gate_.FromProposeError(offsets.status(), call));
                    response->set_broker_group(context_->options->broker_group);
                    for (size_t i = 0; i < ids.size(); ++i) {
                      messaging::SendResult* sent = response->add_results();
                      sent->set_message_id(ids[i]);
                      sent->set_queue_id(request->queue_id());
                      sent->set_queue_offset((*offsets)[i]);
                    }
                    reactor->Finish(grpc::Status::OK);
                  });
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
