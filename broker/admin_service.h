// AdminService: topics, node status, leadership transfer and consumer lag of one broker node
// (proto/admin.proto) on gRPC's callback API. Topic changes are proposed through Raft by the
// leader (LeaderGate) and answered once applied, with the state machine's outcome
// (ALREADY_EXISTS, NOT_FOUND). Reads of replicated state (DescribeTopic, ListTopics,
// GroupOffsets) are answered by the serving leader only, so a follower still catching up never
// answers stale; NodeStatus is answered by every node about itself.
//
// Threading: gRPC's threads; completions on the apply thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include "broker/leader_gate.h"
#include "broker/service_context.h"
#include "proto/admin.grpc.pb.h"
#include "proto/broker_command.pb.h"

namespace raftmq::broker {

class AdminService final : public admin::AdminService::CallbackService {
 public:
  explicit AdminService(const ServiceContext* context);

  grpc::ServerUnaryReactor* CreateTopic(grpc::CallbackServerContext* call, const admin::CreateTopicRequest* request,
                                        admin::TopicResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTopic(grpc::CallbackServerContext* call, const admin::UpdateTopicRequest* request,
                                        admin::TopicResponse* response) override;
  grpc::ServerUnaryReactor* DeleteTopic(grpc::CallbackServerContext* call, const admin::DeleteTopicRequest* request,
                                        admin::TopicResponse* response) override;
  grpc::ServerUnaryReactor* DescribeTopic(grpc::CallbackServerContext* call,
                                          const admin::DescribeTopicRequest* request,
                                          admin::TopicResponse* response) override;
  grpc::ServerUnaryReactor* ListTopics(grpc::CallbackServerContext* call, const admin::ListTopicsRequest* request,
                                       admin::ListTopicsResponse* response) override;
  grpc::ServerUnaryReactor* NodeStatus(grpc::CallbackServerContext* call, const admin::NodeStatusRequest* request,
                                       admin::NodeStatusResponse* response) override;
  grpc::ServerUnaryReactor* TransferLeadership(grpc::CallbackServerContext* call,
                                               const admin::TransferLeadershipRequest* request,
                                               admin::TransferLeadershipResponse* response) override;
  grpc::ServerUnaryReactor* GroupOffsets(grpc::CallbackServerContext* call, const admin::GroupOffsetsRequest* request,
                                         admin::GroupOffsetsResponse* response) override;
  grpc::ServerUnaryReactor* LogDigest(grpc::CallbackServerContext* call, const admin::LogDigestRequest* request,
                                      admin::LogDigestResponse* response) override;
  grpc::ServerUnaryReactor* ChangeMembership(grpc::CallbackServerContext* call,
                                             const admin::ChangeMembershipRequest* request,
                                             admin::ChangeMembershipResponse* response) override;
  grpc::ServerUnaryReactor* GroupMembers(grpc::CallbackServerContext* call, const admin::GroupMembersRequest* request,
                                         admin::GroupMembersResponse* response) override;

 private:
  // Proposes `command` (validated by `checked`) and answers with the applied outcome.
  grpc::ServerUnaryReactor* ProposeTopicCommand(grpc::CallbackServerContext* call, grpc::Status checked,
                                                const BrokerCommand& command, admin::TopicResponse* response);
  void FillQueues(const admin::TopicConfig& topic, admin::TopicResponse* response) const;
  grpc::Status FillLag(const admin::GroupOffsetsRequest& request, admin::GroupOffsetsResponse* response) const;
  uint64_t MaxOffset(const std::string& topic, int32_t queue_id) const;

  const ServiceContext* const context_;
  const LeaderGate gate_;
};

}  // namespace raftmq::broker
