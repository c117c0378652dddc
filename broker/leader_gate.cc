#include "broker/leader_gate.h"

#include "common/assert.h"

namespace raftmq::broker {

LeaderGate::LeaderGate(const BrokerOptions* options, const Replicator* replicator, const BrokerStateMachine* machine)
    : options_(options), replicator_(replicator), machine_(machine) {
  RMQ_ASSERT(options_ != nullptr && replicator_ != nullptr);
  RMQ_ASSERT(machine_ != nullptr);
}

grpc::Status LeaderGate::Check(grpc::CallbackServerContext* context) const {
  ReplicaStatus status = replicator_->GetStatus();
  if (status.role != ReplicaRole::kLeader) {
    std::string leader = LeaderAddress();
    return Refuse(context, "node " + std::to_string(status.id) + " is not the leader of " + options_->broker_group +
                               (leader.empty() ? std::string("; no leader known") : "; the leader is " + leader));
  }
  // Its no-op is the first entry of its term: once applied, so is everything before.
  if (machine_->applied_term() < status.term) {
    return Refuse(context, "new leader of " + options_->broker_group + " is still applying its predecessor's entries; retry");
  }
  return grpc::Status::OK;
}

void LeaderGate::Read(grpc::CallbackServerContext* context, const std::function<grpc::Status()>& read,
                      std::function<void(grpc::Status)> done) const {
  RMQ_ASSERT(read != nullptr);
  RMQ_ASSERT(done != nullptr);
  grpc::Status checked = Check(context);
  if (!checked.ok()) return done(checked);
  grpc::Status status = read();
  // The barrier's round starts on the Raft loop after this call: after the read.
  replicator_->ConfirmRead([this, context, status = std::move(status), done = std::move(done)](Status confirmed) {
    if (confirmed.ok()) return done(status);
    done(Refuse(context, "node " + std::to_string(options_->node_id) + " could not confirm it still leads " +
                             options_->broker_group + " for a read: " + confirmed.ToString()));
  });
}

void LeaderGate::FinishRead(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                            const std::function<grpc::Status()>& read) const {
  RMQ_ASSERT(reactor != nullptr);
  Read(context, read, [reactor](grpc::Status status) { reactor->Finish(status); });
}

grpc::Status LeaderGate::FromProposeError(const Status& status, grpc::CallbackServerContext* context) const {
  RMQ_ASSERT(!status.ok());
  switch (status.code()) {
    case Status::Code::kUnavailable:
      return Refuse(context, status.ToString());
    case Status::Code::kAborted:
      AddHint(context);
      return {grpc::StatusCode::ABORTED, "outcome unknown: " + status.ToString()};
    case Status::Code::kNoSpace:
    case Status::Code::kResourceExhausted:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, status.ToString()};
    case Status::Code::kInvalidArgument:
      return {grpc::StatusCode::INVALID_ARGUMENT, status.ToString()};
    default:
      return {grpc::StatusCode::INTERNAL, status.ToString()};
  }
}

std::string LeaderGate::LeaderAddress() const {
  return replicator_->MemberAddress(replicator_->GetStatus().leader);
}

grpc::Status LeaderGate::Refuse(grpc::CallbackServerContext* context, std::string message) const {
  AddHint(context);
  if (context != nullptr) context->AddTrailingMetadata(kRefusedKey, "1");
  return {grpc::StatusCode::UNAVAILABLE, std::move(message)};
}

void LeaderGate::AddHint(grpc::CallbackServerContext* context) const {
  // Never itself: a client following that hint would loop.
  const ReplicaStatus status = replicator_->GetStatus();
  if (status.leader == status.id) return;
  std::string leader = replicator_->MemberAddress(status.leader);
  if (!leader.empty() && context != nullptr) context->AddTrailingMetadata(kLeaderAddressKey, leader);
}

}  // namespace raftmq::broker
