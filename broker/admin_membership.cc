// AdminService: membership (admin.proto ChangeMembership, GroupMembers; raft/configuration.h).
// Both are the leader's: it alone may propose a change and knows each member's progress.
#include <algorithm>
#include <map>
#include <utility>

#include "broker/admin_service.h"
#include "broker/invalid_argument.h"

namespace raftmq::broker {
namespace {

// The request as a raft::ConfChange; INVALID_ARGUMENT naming what is wrong.
Result<raft::ConfChange> ToConfChange(const admin::ChangeMembershipRequest& request) {
  if (request.node_id() == kNoNode) return Status::InvalidArgument("node_id must be positive");
  raft::ConfChange change{.node = request.node_id()};
  switch (request.change()) {
    case admin::ADD_LEARNER:
      // No broker could start as a node above it: the learner would never answer.
      if (request.node_id() > kNodeIdMax) {
        return Status::InvalidArgument("node_id " + std::to_string(request.node_id()) + " is above " +
                                       std::to_string(kNodeIdMax) + " (a broker's node_id is 1.." +
                                       std::to_string(kNodeIdMax) + ")");
      }
      change.type = raft::ConfChangeType::kAddLearner;
      RMQ_RETURN_IF_ERROR(raft::CheckPeerAddress(request.address()).WithContext("ADD_LEARNER of node " +
                                                                                 std::to_string(request.node_id())));
      change.address = request.address();
      return change;
    case admin::PROMOTE_LEARNER: change.type = raft::ConfChangeType::kPromote; break;
    case admin::REMOVE_NODE: change.type = raft::ConfChangeType::kRemove; break;
    default: return Status::InvalidArgument("unknown membership change " + std::to_string(request.change()));
  }
  if (!request.address().empty()) return Status::InvalidArgument("an address is for ADD_LEARNER only");
  return change;
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::ChangeMembership(grpc::CallbackServerContext* call,
                                                         const admin::ChangeMembershipRequest* request,
                                                         admin::ChangeMembershipResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  Result<raft::ConfChange> change = ToConfChange(*request);
  if (!change.ok()) {
    reactor->Finish(InvalidArgument(change.status().message()));
    return reactor;
  }
  if (grpc::Status gate = gate_.Check(call); !gate.ok()) {
    reactor->Finish(gate);
    return reactor;
  }
  context_->replicator->ChangeMembership(*change, [this, call, reactor](Status status) {
    if (status.ok()) return reactor->Finish(grpc::Status::OK);
    // Aborted is the core's refusal (a learner not caught up, too few voters left able to
    // vote) or an unknown outcome: either way the caller looks at the members and retries.
    if (status.IsAborted()) return reactor->Finish({grpc::StatusCode::ABORTED, status.ToString()});
    if (status.IsNotSupported()) return reactor->Finish({grpc::StatusCode::FAILED_PRECONDITION, status.ToString()});
    reactor->Finish(gate_.FromProposeError(status, call));
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::GroupMembers(grpc::CallbackServerContext* call,
                                                     const admin::GroupMembersRequest* /*request*/,
                                                     admin::GroupMembersResponse* response) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  if (grpc::Status gate = gate_.Check(call); !gate.ok()) {
    reactor->Finish(gate);
    return reactor;
  }
  Result<raft::ConfState> config = context_->replicator->Configuration();
  if (!config.ok()) {
    reactor->Finish(gate_.FromProposeError(config.status(), call));
    return reactor;
  }
  const ReplicaStatus self = context_->replicator->GetStatus();
  std::map<NodeId, ReplicaPeer> progress;
  for (ReplicaPeer& peer : context_->replicator->PeerProgress()) progress[peer.id] = peer;
  progress[self.id] = ReplicaPeer{.id = self.id, .match = self.last, .recent_active = true};
  response->set_leader_id(self.leader);
  response->set_term(self.term.value());
  response->set_last_index(self.last.value());
  response->set_commit_index(self.commit.value());
  auto add = [&](NodeId id, bool voter) {
    admin::GroupMember* member = response->add_members();
    member->set_node_id(id);
    member->set_address(context_->replicator->MemberAddress(id));
    member->set_voter(voter);
    member->set_match_index(progress[id].match.value());
    member->set_recent_active(progress[id].recent_active);
  };
  for (NodeId id : config->voters) add(id, true);
  for (NodeId id : config->learners) add(id, false);
  std::sort(response->mutable_members()->begin(), response->mutable_members()->end(),
            [](const admin::GroupMember& a, const admin::GroupMember& b) { return a.node_id() < b.node_id(); });
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace raftmq::broker
