// v2::MessagingService: the RocketMQ 5 gRPC protocol (apache.rocketmq.v2.MessagingService,
// proto/apache/rocketmq/v2/) in every broker, on the broker's gRPC port next to raftmq's own
// API, so the official RocketMQ 5 clients need no proxy. It translates to the same internals
// (no second storage path).
//
// Served: QueryRoute (route_mapping.h: each group's leader, from the nameservers),
// Heartbeat, Telemetry (telemetry_reactor.h, server_settings.h), SendMessage
// (message_mapping.h, then the shared MessageSender: checks, leader gate, one Raft entry per
// batch), NotifyClientTermination, the consumers' ReceiveMessage, AckMessage,
// ChangeInvisibleDuration and ForwardMessageToDeadLetterQueue (pop_service.h), and the push
// consumer's QueryAssignment (route_mapping.h: every readable queue of the route).
// A follower refuses a send (HA_NOT_AVAILABLE, the leader's address in the message; nothing
// stored): QueryRoute hands out leaders only, so a client reaches a follower only after a
// failover, and then takes the next queue or, with its next route query, the new leader.
// Every other RPC answers NOT_IMPLEMENTED (not_served.h).
//
// The served unary calls must carry the x-mq-client-id header (CLIENT_ID_REQUIRED otherwise),
// as Apache's proxy requires. Namespaces are not supported (UNSUPPORTED). The optional
// `authorization` header (HMAC-SHA1 of x-mq-date-time, sent by clients given credentials) is
// accepted and not checked: there is no ACL yet.
//
// Threading: gRPC's threads; send completions on the apply thread, routes on gRPC's.
#pragma once

#include <grpcpp/grpcpp.h>

#include "broker/leader_gate.h"
#include "broker/message_sender.h"
#include "broker/service_context.h"
#include "broker/topic_creator.h"
#include "broker/v2/pop_service.h"
#include "broker/v2/route_resolver.h"
#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.grpc.pb.h"

namespace raftmq::broker::v2 {

class MessagingService final : public pb::MessagingService::CallbackService {
 public:
  explicit MessagingService(const ServiceContext* context);

  grpc::ServerUnaryReactor* QueryRoute(grpc::CallbackServerContext* call, const pb::QueryRouteRequest* request,
                                       pb::QueryRouteResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* call, const pb::HeartbeatRequest* request,
                                      pb::HeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* SendMessage(grpc::CallbackServerContext* call, const pb::SendMessageRequest* request,
                                        pb::SendMessageResponse* response) override;
  grpc::ServerBidiReactor<pb::TelemetryCommand, pb::TelemetryCommand>* Telemetry(
      grpc::CallbackServerContext* call) override;
  grpc::ServerUnaryReactor* NotifyClientTermination(grpc::CallbackServerContext* call,
                                                    const pb::NotifyClientTerminationRequest* request,
                                                    pb::NotifyClientTerminationResponse* response) override;
  // The consumers' (pop_service.h).
  grpc::ServerWriteReactor<pb::ReceiveMessageResponse>* ReceiveMessage(
      grpc::CallbackServerContext* call, const pb::ReceiveMessageRequest* request) override;
  grpc::ServerUnaryReactor* AckMessage(grpc::CallbackServerContext* call, const pb::AckMessageRequest* request,
                                       pb::AckMessageResponse* response) override;
  grpc::ServerUnaryReactor* ChangeInvisibleDuration(grpc::CallbackServerContext* call,
                                                    const pb::ChangeInvisibleDurationRequest* request,
                                                    pb::ChangeInvisibleDurationResponse* response) override;
  grpc::ServerUnaryReactor* ForwardMessageToDeadLetterQueue(grpc::CallbackServerContext* call,
                                                            const pb::ForwardMessageToDeadLetterQueueRequest* request,
                                                            pb::ForwardMessageToDeadLetterQueueResponse* response) override;
  // The push consumer's: TOPIC_NOT_FOUND, ILLEGAL_CONSUMER_GROUP, FORBIDDEN (nothing readable).
  grpc::ServerUnaryReactor* QueryAssignment(grpc::CallbackServerContext* call, const pb::QueryAssignmentRequest* request,
                                            pb::QueryAssignmentResponse* response) override;

  // Not served yet: NOT_IMPLEMENTED.
  grpc::ServerWriteReactor<pb::PullMessageResponse>* PullMessage(grpc::CallbackServerContext* call,
                                                                 const pb::PullMessageRequest* request) override;
  grpc::ServerUnaryReactor* UpdateOffset(grpc::CallbackServerContext* call, const pb::UpdateOffsetRequest* request,
                                         pb::UpdateOffsetResponse* response) override;
  grpc::ServerUnaryReactor* GetOffset(grpc::CallbackServerContext* call, const pb::GetOffsetRequest* request,
                                      pb::GetOffsetResponse* response) override;
  grpc::ServerUnaryReactor* QueryOffset(grpc::CallbackServerContext* call, const pb::QueryOffsetRequest* request,
                                        pb::QueryOffsetResponse* response) override;
  grpc::ServerUnaryReactor* EndTransaction(grpc::CallbackServerContext* call, const pb::EndTransactionRequest* request,
                                           pb::EndTransactionResponse* response) override;
  grpc::ServerUnaryReactor* RecallMessage(grpc::CallbackServerContext* call, const pb::RecallMessageRequest* request,
                                          pb::RecallMessageResponse* response) override;
  grpc::ServerUnaryReactor* SyncLiteSubscription(grpc::CallbackServerContext* call,
                                                 const pb::SyncLiteSubscriptionRequest* request,
                                                 pb::SyncLiteSubscriptionResponse* response) override;

 private:
  const ServiceContext* const context_;
  const LeaderGate gate_;
  const TopicCreator creator_;
  MessageSender sender_;
  const RouteResolver routes_;
  PopService pops_;
};

}  // namespace raftmq::broker::v2
