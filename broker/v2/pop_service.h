// PopService: the RocketMQ 5 simple consumer's RPCs (pop consumption) over the replicated pop
// state (broker/pop_state_manager.h): ReceiveMessage (receive_call.h), AckMessage and
// ChangeInvisibleDuration. Served by the group's leader only (a follower answers
// HA_NOT_AVAILABLE naming the leader, like a send); every change is a Raft entry, so acks
// and deadlines survive a failover, and delivery is at least once.
//
// Requests are checked before anything is proposed, and a refused one changes nothing:
// ILLEGAL_CONSUMER_GROUP, ILLEGAL_TOPIC, TOPIC_NOT_FOUND, ILLEGAL_FILTER_EXPRESSION,
// ILLEGAL_INVISIBLE_TIME (outside [pop_invisible_duration_ms_min, max]), BAD_REQUEST, and
// INVALID_RECEIPT_HANDLE for a handle that does not parse, names another topic, or is not
// current (acknowledged, redelivered or changed since: see receipt_handle.h). A handle whose
// deadline passed is still accepted while the message was not delivered again.
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
#include <string>

#include <grpcpp/grpcpp.h>

#include "broker/leader_gate.h"
#include "broker/service_context.h"
#include "broker/topic_creator.h"
#include "broker/v2/pop_planner.h"
#include "broker/v2/receipt_handle.h"
#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.pb.h"

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

  // Runs `turn` once no other receive of `queue_key` holds the turn (at once, or on the thread
  // that gives it back); `turn` must call Give(queue_key) exactly once when done.
  void Take(const std::string& queue_key, std::function<void()> turn);
  void Give(const std::string& queue_key);

  // A refusal as the protocol answers it: the leader's address added to a follower's.
  pb::Status Refusal(const grpc::Status& status, pb::Code not_found = pb::NOT_FOUND) const;
  // The invisible duration asked (`asked`, absent: the default), or ILLEGAL_INVISIBLE_TIME.
  pb::Status CheckInvisibleDuration(const google::protobuf::Duration* asked, int64_t* duration_ms) const;

  const ServiceContext& context() const { return *context_; }
  const LeaderGate& gate() const { return *gate_; }
  const TopicCreator& creator() const { return *creator_; }
  const PopPlanner& planner() const { return planner_; }

 private:
  // Group and topic of an ack or change, then the gate.
  pb::Status CheckHandleRequest(grpc::CallbackServerContext* call, const pb::Resource& group,
                                const pb::Resource& topic) const;
  // INVALID_RECEIPT_HANDLE unless `text` is a current handle of `topic` for `group`.
  pb::Status CheckCurrent(const std::string& group, const std::string& topic, const std::string& text,
                          ReceiptHandle* handle) const;

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
