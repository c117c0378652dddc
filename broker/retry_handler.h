// RetryHandler: SendBackMessage — a consumer hands a message back, and the broker
// redelivers it to the group later (RocketMQ's consumer send-back):
//   reconsume_times < max_reconsume_times: a copy with reconsume_times + 1 waits in
//     SCHEDULE_TOPIC_XXXX queue (level - 1), level = request's delay_level or 3 +
//     reconsume_times (capped at the last level); DelayScheduler moves it to
//     %RETRY%<group> queue 0 once its delay passed;
//   otherwise: the copy goes to %DLQ%<group> queue 0 at once.
// Retry and DLQ topics are created (1 queue) on first use. The copy keeps the message id and
// records the original topic (RETRY_TOPIC) and id (ORIGIN_MESSAGE_ID).
//
// Statuses: the LeaderGate's; INVALID_ARGUMENT (names, numbers); NOT_FOUND (unknown topic);
// OUT_OF_RANGE (no message at that offset).
//
// Threading: from gRPC threads; completions on the apply thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "broker/leader_gate.h"
#include "broker/service_context.h"
#include "broker/topic_creator.h"
#include "proto/messaging.pb.h"
#include "storage/message_record.h"

namespace raftmq::broker {

class RetryHandler {
 public:
  RetryHandler(const ServiceContext* context, const LeaderGate* gate, const TopicCreator* creator);

  void Handle(grpc::CallbackServerContext* call, const messaging::SendBackMessageRequest* request,
              grpc::ServerUnaryReactor* reactor) const;

 private:
  // The message at (topic, queue, offset), or the status naming why there is none.
  grpc::Status Find(const messaging::SendBackMessageRequest& request, storage::Message* message) const;
  // The copy to propose, and the topic it must exist in first.
  storage::Message Redelivery(const messaging::SendBackMessageRequest& request, const storage::Message& original,
                              std::string* topic) const;

  const ServiceContext* const context_;
  const LeaderGate* const gate_;
  const TopicCreator* const creator_;
  const std::vector<int64_t> delay_levels_ms_;
};

}  // namespace raftmq::broker
