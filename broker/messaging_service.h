// MessagingService: the producer/consumer API of a broker node (proto/messaging.proto) on
// gRPC's callback API: a call waiting for Raft or a held pull costs no thread.
//
// Writes (SendMessage, CommitOffset, SendBackMessage) and QueryOffset go through the
// LeaderGate; PullMessage, Heartbeat and GetConsumerList are answered by any node. A send is
// answered once its entry is applied (committed on a majority), with each message's queue
// offset. An unknown topic is NOT_FOUND unless auto_create_topic_enable, which creates it
// (through Raft) with default_topic_queue_nums queues first.
//
// Threading: gRPC's threads; completions on the apply and long-polling threads.
#pragma once

#include <string>

#include <grpcpp/grpcpp.h>

#include "broker/leader_gate.h"
#include "broker/message_sender.h"
#include "broker/offset_commit_batcher.h"
#include "broker/pull_handler.h"
#include "broker/retry_handler.h"
#include "broker/topic_creator.h"
#include "broker/service_context.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::broker {

class MessagingService final : public messaging::MessagingService::CallbackService {
 public:
  explicit MessagingService(const ServiceContext* context);

  grpc::ServerUnaryReactor* SendMessage(grpc::CallbackServerContext* call, const messaging::SendMessageRequest* request,
                                        messaging::SendMessageResponse* response) override;
  grpc::ServerUnaryReactor* PullMessage(grpc::CallbackServerContext* call, const messaging::PullMessageRequest* request,
                                        messaging::PullMessageResponse* response) override;
  grpc::ServerUnaryReactor* CommitOffset(grpc::CallbackServerContext* call,
                                         const messaging::CommitOffsetRequest* request,
                                         messaging::CommitOffsetResponse* response) override;
  grpc::ServerUnaryReactor* QueryOffset(grpc::CallbackServerContext* call, const messaging::QueryOffsetRequest* request,
                                        messaging::QueryOffsetResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* call, const messaging::HeartbeatRequest* request,
                                      messaging::HeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* GetConsumerList(grpc::CallbackServerContext* call,
                                            const messaging::GetConsumerListRequest* request,
                                            messaging::GetConsumerListResponse* response) override;
  grpc::ServerUnaryReactor* SendBackMessage(grpc::CallbackServerContext* call,
                                            const messaging::SendBackMessageRequest* request,
                                            messaging::SendBackMessageResponse* response) override;

 private:
  grpc::Status CheckCommit(const messaging::CommitOffsetRequest& request, grpc::CallbackServerContext* call) const;

  const ServiceContext* const context_;
  const LeaderGate gate_;
  const PullHandler pull_;
  OffsetCommitBatcher commits_;
  const TopicCreator creator_;
  const RetryHandler retry_;
  MessageSender sender_;
};

}  // namespace raftmq::broker
