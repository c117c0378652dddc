// PopService: the RocketMQ 5 consumers' RPCs (pop consumption, simple and push consumers)
// over the replicated pop state (broker/pop_state_manager.h): ReceiveMessage
// (receive_call.h), AckMessage, ChangeInvisibleDuration and ForwardMessageToDeadLetterQueue.
// Served by the group's leader only (a follower answers HA_NOT_AVAILABLE naming the leader,
// like a send); every change is a Raft entry, so acks and deadlines survive a failover, and
// delivery is at least once.
//
// Requests are checked before anything is proposed, and a refused one changes nothing:
// ILLEGAL_CONSUMER_GROUP, ILLEGAL_TOPIC, TOPIC_NOT_FOUND, ILLEGAL_FILTER_EXPRESSION,
// ILLEGAL_INVISIBLE_TIME (a receive's outside [pop_invisible_duration_ms_min, max], a
// change's outside [0, max], as Apache's proxy: a push consumer's retry delays start below
// the receive minimum), BAD_REQUEST, and INVALID_RECEIPT_HANDLE for a handle that does not
// parse, names another topic, or is not current (acknowledged, redelivered or changed since:
// see receipt_handle.h). A handle whose deadline passed is still accepted while the message
// was not delivered again.
//
// ForwardMessageToDeadLetterQueue (a push consumer that gave up on a message) stores a copy
// in %DLQ%<group> (as a receive does for a message past its last attempt), then acknowledges
// the handle, with the queue's turn held so no receive redelivers it in between. A copy
// stored whose ack then fails (the leader changed) stays: the message may reach the
// dead-letter queue twice, never not at all.
//
// Receives of one (group, topic, queue) take turns on the leader (Take/Give): each plans from
// the applied state and proposes once the previous one's command applied, so their commands
// do not conflict; a waiting receive costs no thread.
//
// Threading: from gRPC's threads; proposals complete on the apply thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include <grpcpp/grpcpp.h>

#include "broker/leader_gate.h"
#include "broker/service_context.h"
#include "broker/topic_creator.h"
#include "broker/v2/pop_planner.h"
#include "broker/v2/receipt_handle.h"
#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.pb.h"
#include "storage/message_record.h"

namespace raftmq::broker::v2 {

class PopService {
 public:
  PopService(const ServiceContext* context, const LeaderGate* gate, const TopicCreator* creator);

  // `refused`: the caller's own check failed (a missing client id): answered alone.
  grpc::ServerWriteReactor<pb::ReceiveMessageResponse>* Receive(grpc::CallbackServerContext* call,
                                                               const pb::ReceiveMessageRequest* request,
                                                               std::optional<pb::Status> refused);
  void Ack(grpc::CallbackServerContext* call, const pb::AckMessageRequest* request, pb::AckMessageResponse* response,
           grpc::ServerUnaryReactor* reactor);
  void ChangeInvisible(grpc::CallbackServerContext* call, const pb::ChangeInvisibleDurationRequest* request,
                       pb::ChangeInvisibleDurationResponse* response, grpc::ServerUnaryReactor* reactor);
  void ForwardToDeadLetter(grpc::CallbackServerContext* call, const pb::ForwardMessageToDeadLetterQueueRequest* request,
                           pb::ForwardMessageToDeadLetterQueueResponse* response, grpc::ServerUnaryReactor* reactor);

  // Runs `turn` once no other receive of `queue_key` holds the turn (at once, or on the thread
  // that gives it back); `turn` must call Give(queue_key) exactly once when done.
  void Take(const std::string& queue_key, std::function<void()> turn);
  void Give(const std::string& queue_key);

  // A refusal as the protocol answers it: the leader's address added to a follower's.
  pb::Status Refusal(const grpc::Status& status, pb::Code not_found = pb::NOT_FOUND) const;
  // The invisible duration asked (`asked`, absent: the default), or ILLEGAL_INVISIBLE_TIME
  // outside [min_ms, pop_invisible_duration_ms_max].
  pb::Status CheckInvisibleDuration(const google::protobuf::Duration* asked, int64_t min_ms,
                                    int64_t* duration_ms) const;
  // Stores `dead` (kept alive by the caller until `done`) in %DLQ%<group>, created with one
  // queue on first use; `done` gets OK or the refusal.
  void StoreDeadLetters(grpc::CallbackServerContext* call, const std::string& group,
                        std::span<const storage::Message> dead, std::function<void(pb::Status)> done) const;

  const ServiceContext& context() const { return *context_; }
  const LeaderGate& gate() const { return *gate_; }
  const TopicCreator& creator() const { return *creator_; }
  const PopPlanner& planner() const { return planner_; }

 private:
  // Group and topic of an ack or change, then the gate.
  pb::Status CheckHandleRequest(grpc::CallbackServerContext* call, const pb::Resource& group,
                                const pb::Resource& topic) const;
  // INVALID_RECEIPT_HANDLE unless `text` is a current handle of `topic` for `group`;
  // `attempt` (optional) gets the deliveries of its message so far.
  pb::Status CheckCurrent(const std::string& group, const std::string& topic, const std::string& text,
                          ReceiptHandle* handle, int32_t* attempt = nullptr) const;
  // Proposes the ack of a current `handle`; `done` gets OK, INVALID_RECEIPT_HANDLE (spent
  // meanwhile) or the refusal.
  void ProposeAck(grpc::CallbackServerContext* call, const std::string& group, const ReceiptHandle& handle,
                  std::function<void(pb::Status)> done) const;
  // ForwardToDeadLetter with the queue's turn held (Give'n when answered).
  void ForwardWithTurn(grpc::CallbackServerContext* call, const pb::ForwardMessageToDeadLetterQueueRequest* request,
                       std::function<void(pb::Status)> answer) const;

  const ServiceContext* const context_;
  const LeaderGate* const gate_;
  const TopicCreator* const creator_;
  const PopPlanner planner_;

  std::mutex mutex_;
  // The queues whose turn is taken, with the receives waiting for it in order.
  std::map<std::string, std::deque<std::function<void()>>> turns_;
};

// The key of Take/Give.
std::string PopQueueKey(const std::string& group, const std::string& topic, int32_t queue_id);
// ILLEGAL_CONSUMER_GROUP / ILLEGAL_TOPIC / UNSUPPORTED (namespaces) unless both are valid.
pb::Status CheckGroupAndTopic(const pb::Resource& group, const pb::Resource& topic);

}  // namespace raftmq::broker::v2
