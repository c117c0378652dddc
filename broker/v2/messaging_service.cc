#include "broker/v2/messaging_service.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/names.h"
#include "broker/v2/message_mapping.h"
#include "broker/v2/not_served.h"
#include "broker/v2/route_mapping.h"
#include "broker/v2/telemetry_reactor.h"

namespace raftmq::broker::v2 {
namespace {

constexpr std::string_view kClientIdHeader = "x-mq-client-id";

// CLIENT_ID_REQUIRED when the call lacks the header every official client sends.
std::optional<pb::Status> MissingClientId(const grpc::CallbackServerContext* call) {
  const auto& headers = call->client_metadata();
  auto found = headers.find(grpc::string_ref(kClientIdHeader.data(), kClientIdHeader.size()));
  if (found != headers.end() && !found->second.empty()) return std::nullopt;
  return MakeStatus(pb::CLIENT_ID_REQUIRED, "header x-mq-client-id is missing");
}

template <typename Response>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* call, Response* response, pb::Status status) {
  *response->mutable_status() = std::move(status);
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// Answers `response` from `topic`'s route: `fill(route, response)` adds what it maps and says
// whether that is anything (`empty` answers otherwise); an unknown topic is TOPIC_NOT_FOUND.
template <typename Response, typename Fill>
grpc::ServerUnaryReactor* AnswerFromRoute(grpc::CallbackServerContext* call, const RouteResolver& routes,
                                          const std::string& topic, Response* response, grpc::Status empty,
                                          Fill fill) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  routes.Resolve(topic, [response, reactor, empty, fill](grpc::Status status,
                                                         const nameserver::GetRouteInfoByTopicResponse& route) {
    if (status.ok() && !fill(route, response)) status = empty;
    *response->mutable_status() = FromGrpc(status, pb::TOPIC_NOT_FOUND);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

// What a send keeps alive until the Raft entry is applied.
struct SendCall {
  messaging::SendMessageRequest request;
  messaging::SendMessageResponse response;
};

}  // namespace

MessagingService::MessagingService(const ServiceContext* context)
    : context_(context),
      gate_(context->options, context->replicator, context->machine),
      creator_(context, &gate_),
      sender_(context, &gate_, &creator_),
      routes_(context->options),
      pops_(context, &gate_, &creator_) {}

grpc::ServerUnaryReactor* MessagingService::QueryRoute(grpc::CallbackServerContext* call,
                                                       const pb::QueryRouteRequest* request,
                                                       pb::QueryRouteResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  const pb::Resource& topic = request->topic();
  if (!topic.resource_namespace().empty()) {
    return Answer(call, response, MakeStatus(pb::UNSUPPORTED, "topic.resource_namespace: namespaces are not supported"));
  }
  grpc::Status name = CheckName("topic", topic.name());
  if (!name.ok()) return Answer(call, response, MakeStatus(pb::ILLEGAL_TOPIC, "topic.name: " + name.error_message()));
  return AnswerFromRoute(call, routes_, topic.name(), response,
                         {grpc::StatusCode::UNAVAILABLE, "no broker group serving the topic has a leader"},
                         [](const nameserver::GetRouteInfoByTopicResponse& route, pb::QueryRouteResponse* answer) {
                           for (pb::MessageQueue& queue : ToMessageQueues(route)) {
                             *answer->add_message_queues() = std::move(queue);
                           }
                           return answer->message_queues_size() > 0;
                         });
}

grpc::ServerUnaryReactor* MessagingService::Heartbeat(grpc::CallbackServerContext* call,
                                                      const pb::HeartbeatRequest* request,
                                                      pb::HeartbeatResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  if (request->client_type() == pb::CLIENT_TYPE_UNSPECIFIED) {
    return Answer(call, response, MakeStatus(pb::UNRECOGNIZED_CLIENT_TYPE, "client_type is unspecified"));
  }
  return Answer(call, response, OkStatus());
}

grpc::ServerUnaryReactor* MessagingService::SendMessage(grpc::CallbackServerContext* call,
                                                        const pb::SendMessageRequest* request,
                                                        pb::SendMessageResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  auto send = std::make_shared<SendCall>();
  pb::Status mapped = ToSendRequest(*request, context_->options->max_message_size_bytes, &send->request);
  if (mapped.code() != pb::OK) return Answer(call, response, std::move(mapped));
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  sender_.Send(call, &send->request, &send->response, [this, send, response, reactor](grpc::Status status) {
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      const std::string leader = gate_.LeaderAddress();
      if (!leader.empty()) status = {status.error_code(), status.error_message() + "; the group's leader is " + leader};
    }
    ToSendResponse(status, send->response, response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerBidiReactor<pb::TelemetryCommand, pb::TelemetryCommand>* MessagingService::Telemetry(
    grpc::CallbackServerContext* /*call*/) {
  return new TelemetryReactor(context_->options);
}

grpc::ServerUnaryReactor* MessagingService::NotifyClientTermination(
    grpc::CallbackServerContext* call, const pb::NotifyClientTerminationRequest* /*request*/,
    pb::NotifyClientTerminationResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  return Answer(call, response, OkStatus());
}

grpc::ServerUnaryReactor* MessagingService::QueryAssignment(grpc::CallbackServerContext* call,
                                                            const pb::QueryAssignmentRequest* request,
                                                            pb::QueryAssignmentResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  pb::Status checked = CheckGroupAndTopic(request->group(), request->topic());
  if (checked.code() != pb::OK) return Answer(call, response, std::move(checked));
  // As Apache's proxy: FORBIDDEN when no queue may be read.
  return AnswerFromRoute(call, routes_, request->topic().name(), response,
                         {grpc::StatusCode::PERMISSION_DENIED, "no readable queue with a leader"},
                         [](const nameserver::GetRouteInfoByTopicResponse& route, pb::QueryAssignmentResponse* answer) {
                           for (pb::Assignment& assignment : ToAssignments(route)) {
                             *answer->add_assignments() = std::move(assignment);
                           }
                           return answer->assignments_size() > 0;
                         });
}

grpc::ServerWriteReactor<pb::ReceiveMessageResponse>* MessagingService::ReceiveMessage(
    grpc::CallbackServerContext* call, const pb::ReceiveMessageRequest* request) {
  return pops_.Receive(call, request, MissingClientId(call));
}

grpc::ServerUnaryReactor* MessagingService::AckMessage(grpc::CallbackServerContext* call,
                                                       const pb::AckMessageRequest* request,
                                                       pb::AckMessageResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  pops_.Ack(call, request, response, reactor);
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::ForwardMessageToDeadLetterQueue(
    grpc::CallbackServerContext* call, const pb::ForwardMessageToDeadLetterQueueRequest* request,
    pb::ForwardMessageToDeadLetterQueueResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  pops_.ForwardToDeadLetter(call, request, response, reactor);
  return reactor;
}

grpc::ServerWriteReactor<pb::PullMessageResponse>* MessagingService::PullMessage(
    grpc::CallbackServerContext* /*call*/, const pb::PullMessageRequest* /*request*/) {
  return new NotServedStream<pb::PullMessageResponse>("PullMessage");
}

grpc::ServerUnaryReactor* MessagingService::UpdateOffset(grpc::CallbackServerContext* call,
                                                         const pb::UpdateOffsetRequest* /*request*/,
                                                         pb::UpdateOffsetResponse* response) {
  return AnswerNotServed(call, response, "UpdateOffset");
}

grpc::ServerUnaryReactor* MessagingService::GetOffset(grpc::CallbackServerContext* call,
                                                      const pb::GetOffsetRequest* /*request*/,
                                                      pb::GetOffsetResponse* response) {
  return AnswerNotServed(call, response, "GetOffset");
}

grpc::ServerUnaryReactor* MessagingService::QueryOffset(grpc::CallbackServerContext* call,
                                                        const pb::QueryOffsetRequest* /*request*/,
                                                        pb::QueryOffsetResponse* response) {
  return AnswerNotServed(call, response, "QueryOffset");
}

grpc::ServerUnaryReactor* MessagingService::EndTransaction(grpc::CallbackServerContext* call,
                                                           const pb::EndTransactionRequest* /*request*/,
                                                           pb::EndTransactionResponse* response) {
  return AnswerNotServed(call, response, "EndTransaction");
}

grpc::ServerUnaryReactor* MessagingService::ChangeInvisibleDuration(
    grpc::CallbackServerContext* call, const pb::ChangeInvisibleDurationRequest* request,
    pb::ChangeInvisibleDurationResponse* response) {
  if (auto missing = MissingClientId(call)) return Answer(call, response, *missing);
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  pops_.ChangeInvisible(call, request, response, reactor);
  return reactor;
}

grpc::ServerUnaryReactor* MessagingService::RecallMessage(grpc::CallbackServerContext* call,
                                                          const pb::RecallMessageRequest* /*request*/,
                                                          pb::RecallMessageResponse* response) {
  return AnswerNotServed(call, response, "RecallMessage");
}

grpc::ServerUnaryReactor* MessagingService::SyncLiteSubscription(grpc::CallbackServerContext* call,
                                                                 const pb::SyncLiteSubscriptionRequest* /*request*/,
                                                                 pb::SyncLiteSubscriptionResponse* response) {
  return AnswerNotServed(call, response, "SyncLiteSubscription");
}

}  // namespace raftmq::broker::v2
