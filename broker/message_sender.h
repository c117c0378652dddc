// MessageSender: the send path both client APIs share, raftmq's own SendMessage and RocketMQ
// 5's (broker/v2/): the leader gate, the request's checks (send_validator.h), the topic
// (created first when auto_create_topic_enable allows), its write permission, then one Raft
// entry for the whole batch, answered once applied with each message's id and queue offset.
// A message without an id gets one here (node id, wall clock, counter: RocketMQ's UNIQ_KEY).
//
// Threading: from any thread; `done` runs once, on the caller's or the apply thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "broker/leader_gate.h"
#include "broker/service_context.h"
#include "broker/topic_creator.h"
#include "proto/messaging.pb.h"

namespace raftmq::broker {

class MessageSender {
 public:
  using Done = std::function<void(grpc::Status status)>;

  MessageSender(const ServiceContext* context, const LeaderGate* gate, const TopicCreator* creator);

  // Stores `request`'s batch and fills `response`; both must live until `done` runs. `call`
  // receives the leader hint of a refusal.
  void Send(grpc::CallbackServerContext* call, const messaging::SendMessageRequest* request,
            messaging::SendMessageResponse* response, Done done);

 private:
  void Propose(grpc::CallbackServerContext* call, const messaging::SendMessageRequest* request,
               messaging::SendMessageResponse* response, Done done);
  std::string NewMessageId(int64_t now_ms);

  const ServiceContext* const context_;
  const LeaderGate* const gate_;
  const TopicCreator* const creator_;
  std::atomic<uint64_t> message_id_counter_{0};
};

}  // namespace raftmq::broker
