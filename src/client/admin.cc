#include "client/admin.h"

#include <algorithm>

#include "client/group_leader.h"
#include "common/assert.h"
#include "proto/admin.grpc.pb.h"

namespace raftmq::client {
namespace {

using Stub = admin::AdminService::Stub;

// Asks `method` about topic `name` of the leader of every group in `targets`; a group that
// answers NOT_FOUND does not hold the topic and is left out. NotFound when no group holds it.
template <typename Request>
Result<std::vector<GroupTopic>> AskGroupsHoldingTopic(BrokerClient& brokers, const std::vector<std::string>& targets,
                                                      std::string_view call,
                                                      BrokerClient::Method<Stub, Request, admin::TopicResponse> method,
                                                      const Request& request, const std::string& name) {
  std::vector<GroupTopic> answers;
  for (const std::string& group : targets) {
    auto response = brokers.CallLeader(group, call, method, request);
    if (!response.ok() && response.status().IsNotFound()) continue;
    if (!response.ok()) return response.status();
    answers.push_back({group, std::move(response).value()});
  }
  if (answers.empty()) return Status::NotFound("no broker group has topic '" + name + "'");
  return answers;
}

}  // namespace

Result<std::unique_ptr<Admin>> Admin::Create(const ClientOptions& options) {
  RMQ_RETURN_IF_ERROR(ValidateClientOptions(options));
  return std::unique_ptr<Admin>(new Admin(options));
}

Result<std::vector<std::string>> Admin::Groups(const std::vector<std::string>& wanted) {
  RMQ_ASSIGN_OR_RETURN(nameserver::GetClusterInfoResponse cluster, instance_.nameservers().GetClusterInfo());
  std::vector<std::string> groups;
  for (const nameserver::GroupInfo& group : cluster.groups()) groups.push_back(group.group_name());
  if (groups.empty()) return Status::NotFound("the nameserver knows no broker group");
  for (const std::string& name : wanted) {
    if (std::find(groups.begin(), groups.end(), name) == groups.end()) {
      return Status::NotFound("broker group '" + name + "' is not known to the nameserver");
    }
  }
  return wanted.empty() ? groups : wanted;
}

Result<std::vector<GroupTopic>> Admin::CreateTopic(const admin::TopicConfig& topic,
                                                   const std::vector<std::string>& groups) {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> targets, Groups(groups));
  admin::CreateTopicRequest request;
  *request.mutable_topic() = topic;
  std::vector<GroupTopic> answers;
  for (const std::string& group : targets) {
    RMQ_ASSIGN_OR_RETURN(admin::TopicResponse response,
                         instance_.brokers().CallLeader(group, "CreateTopic", &Stub::CreateTopic, request));
    answers.push_back({group, std::move(response)});
  }
  return answers;
}

Result<std::vector<GroupTopic>> Admin::UpdateTopic(const admin::TopicConfig& topic,
                                                   const std::vector<std::string>& groups) {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> targets, Groups(groups));
  admin::UpdateTopicRequest request;
  *request.mutable_topic() = topic;
  std::vector<GroupTopic> answers;
  for (const std::string& group : targets) {
    RMQ_ASSIGN_OR_RETURN(admin::TopicResponse response,
                         instance_.brokers().CallLeader(group, "UpdateTopic", &Stub::UpdateTopic, request));
    answers.push_back({group, std::move(response)});
  }
  return answers;
}

Result<std::vector<GroupTopic>> Admin::DeleteTopic(const std::string& name) {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> targets, Groups({}));
  admin::DeleteTopicRequest request;
  request.set_name(name);
  return AskGroupsHoldingTopic(instance_.brokers(), targets, "DeleteTopic", &Stub::DeleteTopic, request, name);
}

Result<std::vector<GroupTopic>> Admin::DescribeTopic(const std::string& name) {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> targets, Groups({}));
  admin::DescribeTopicRequest request;
  request.set_name(name);
  return AskGroupsHoldingTopic(instance_.brokers(), targets, "DescribeTopic", &Stub::DescribeTopic, request, name);
}

Result<std::vector<GroupTopic>> Admin::ListTopics() {
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> targets, Groups({}));
  std::vector<GroupTopic> answers;
  for (const std::string& group : targets) {
    RMQ_ASSIGN_OR_RETURN(admin::ListTopicsResponse response,
                         instance_.brokers().CallLeader(group, "ListTopics", &Stub::ListTopics,
                                                        admin::ListTopicsRequest()));
    for (const admin::TopicConfig& topic : response.topics()) {
      GroupTopic entry{group, {}};
      *entry.topic.mutable_topic() = topic;
      answers.push_back(std::move(entry));
    }
  }
  return answers;
}

Result<std::vector<NodeReport>> Admin::ClusterStatus() {
  RMQ_ASSIGN_OR_RETURN(nameserver::GetClusterInfoResponse cluster, instance_.nameservers().GetClusterInfo());
  std::vector<NodeReport> reports;
  for (const nameserver::GroupInfo& group : cluster.groups()) {
    const size_t first = reports.size();
    for (const nameserver::NodeInfo& node : group.nodes()) {
      NodeReport report{group.cluster_name(), group.group_name(), node, Status::Ok(), {}};
      auto status = instance_.brokers().CallNode(node.address(), "NodeStatus", &Stub::NodeStatus,
                                                 admin::NodeStatusRequest());
      if (status.ok()) {
        report.status = std::move(status).value();
      } else {
        report.error = status.status();
      }
      reports.push_back(std::move(report));
    }
    MarkGroupLeader(std::span(reports).subspan(first));
  }
  return reports;
}

Result<std::vector<GroupQueueLag>> Admin::ConsumerProgress(const std::string& consumer_group,
                                                           const std::string& topic) {
  if (consumer_group.empty()) return Status::InvalidArgument("empty consumer group");
  RMQ_ASSIGN_OR_RETURN(std::vector<std::string> targets, Groups({}));
  admin::GroupOffsetsRequest request;
  request.set_consumer_group(consumer_group);
  request.set_topic(topic);
  std::vector<GroupQueueLag> lags;
  for (const std::string& group : targets) {
    auto response = instance_.brokers().CallLeader(group, "GroupOffsets", &Stub::GroupOffsets, request);
    if (!response.ok() && response.status().IsNotFound()) continue;
    if (!response.ok()) return response.status();
    for (const admin::QueueLag& lag : response->queues()) lags.push_back({group, lag});
  }
  return lags;
}

Status Admin::TransferLeadership(const std::string& broker_group, uint64_t to_node_id) {
  if (to_node_id == 0) return Status::InvalidArgument("node ids start at 1");
  RMQ_RETURN_IF_ERROR(Groups({broker_group}).status());
  admin::TransferLeadershipRequest request;
  request.set_to_node_id(to_node_id);
  auto response =
      instance_.brokers().CallLeader(broker_group, "TransferLeadership", &Stub::TransferLeadership, request);
  return response.ok() ? Status::Ok() : response.status();
}

Status Admin::ChangeMembership(const std::string& broker_group, const admin::ChangeMembershipRequest& request) {
  RMQ_RETURN_IF_ERROR(Groups({broker_group}).status());
  return instance_.brokers()
      .CallLeader(broker_group, "ChangeMembership", &Stub::ChangeMembership, request)
      .status();
}

Result<admin::GroupMembersResponse> Admin::GroupMembers(const std::string& broker_group) {
  RMQ_RETURN_IF_ERROR(Groups({broker_group}).status());
  return instance_.brokers().CallLeader(broker_group, "GroupMembers", &Stub::GroupMembers,
                                        admin::GroupMembersRequest());
}

}  // namespace raftmq::client
