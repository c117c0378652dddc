// ReceiveCall: one ReceiveMessage of a RocketMQ 5 simple consumer (see pop_service.h), as a
// server-streaming reactor. Checks the request, takes the queue's turn, plans (pop_planner.h),
// stores dead letters in %DLQ%<group> when the plan has any, proposes the PopCommand, and
// once it applied streams a Status, the messages (each with its receipt handle, delivery
// attempt and invisible duration), then the delivery timestamp. With nothing to deliver it
// waits (LongPollingService) until a message is written to the queue, an in-flight deadline
// passes or is moved (a ChangeInvisibleDuration of the group: LongPollingService::WakeGroup),
// or the long polling time ends: min(the request's long_polling_timeout,
// long_polling_hold_ms_max, the client's deadline - pop_long_polling_reserve_ms); then
// MESSAGE_NOT_FOUND. A command refused as stale (an ack took an expired message meanwhile) is
// planned again, at most kConflictsMax times.
//
// Threading: started on a gRPC thread; continues on the long-polling thread (wake-ups) and
// the apply thread (proposals); deletes itself in OnDone.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "broker/v2/pop_planner.h"
#include "broker/v2/status_codes.h"
#include "proto/apache/rocketmq/v2/service.pb.h"

namespace raftmq::broker::v2 {

class PopService;

class ReceiveCall final : public grpc::ServerWriteReactor<pb::ReceiveMessageResponse> {
 public:
  // `refused`: answered alone, nothing else done.
  ReceiveCall(PopService* service, grpc::CallbackServerContext* call, const pb::ReceiveMessageRequest* request,
              std::optional<pb::Status> refused);

  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  static constexpr int kConflictsMax = 3;

  pb::Status Check();
  // With the queue's turn held: plan, then store dead letters, propose, or wait.
  void Attempt();
  void StoreDeadLetters(std::shared_ptr<PopPlan> plan);
  void Propose(std::shared_ptr<PopPlan> plan);
  void Wait(const PopPlan& plan);
  // Gives the turn back and streams `status`, then `plan`'s messages (epoch: the command's).
  void Deliver(const PopPlan& plan, int64_t epoch);
  void Fail(pb::Status status);  // gives the turn back and answers `status` alone
  void Answer(pb::Status status);  // the status alone, the turn not held

  PopService* const service_;
  grpc::CallbackServerContext* const call_;
  const pb::ReceiveMessageRequest* const request_;
  PopRequest pop_;
  std::string queue_key_;
  int64_t poll_deadline_ms_ = 0;  // steady clock
  int conflicts_ = 0;
  std::vector<pb::ReceiveMessageResponse> responses_;
  size_t written_ = 0;
};

}  // namespace raftmq::broker::v2
