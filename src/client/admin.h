// Admin: cluster administration over every broker group the nameservers know: topics
// (created, updated, deleted on each group's leader, which replicates them by Raft), the
// status of every node, consumer progress per queue, leadership transfer, membership.
//
//   auto admin = Admin::Create(client_options);
//   admin::TopicConfig topic;  topic.set_name("orders"); ...
//   auto created = (*admin)->CreateTopic(topic, {});   // on every group
//
// Threading: every method may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/client_instance.h"
#include "client/client_options.h"
#include "common/result.h"
#include "proto/admin.pb.h"
#include "proto/nameserver.pb.h"

namespace raftmq::client {

// A topic as one group has it.
struct GroupTopic {
  std::string broker_group;
  admin::TopicResponse topic;
};

// One node as the nameserver lists it, and what it says of itself (or why it did not answer).
struct NodeReport {
  std::string cluster_name;
  std::string broker_group;
  nameserver::NodeInfo node;
  Status error;                        // OK when `status` holds the node's answer
  admin::NodeStatusResponse status;
  // How far this node's log trails its group leader's (leader last index - this node's last
  // index); -1 when either did not answer. The leader is the one of the highest term
  // (group_leader.h).
  int64_t replication_lag = -1;
  // Says LEADER, but another node of the group reports a higher term: deposed, not yet aware.
  bool stale_leader = false;
};

struct GroupQueueLag {
  std::string broker_group;
  admin::QueueLag lag;
};

class Admin {
 public:
  static Result<std::unique_ptr<Admin>> Create(const ClientOptions& options);

  // `groups` empty = every group in the cluster. Each call returns every group's answer, or
  // the first error (with the group named); groups before it keep the change.
  Result<std::vector<GroupTopic>> CreateTopic(const admin::TopicConfig& topic, const std::vector<std::string>& groups);
  Result<std::vector<GroupTopic>> UpdateTopic(const admin::TopicConfig& topic, const std::vector<std::string>& groups);
  // On every group that has the topic; NotFound when none has it.
  Result<std::vector<GroupTopic>> DeleteTopic(const std::string& name);
  Result<std::vector<GroupTopic>> DescribeTopic(const std::string& name);
  // Every group's topics (the queue lists are left empty).
  Result<std::vector<GroupTopic>> ListTopics();

  // Every node of every group, asked in turn; an unreachable node is reported, not an error.
  Result<std::vector<NodeReport>> ClusterStatus();
  // The group's offsets per queue on every group (topic "" = every topic it committed on).
  Result<std::vector<GroupQueueLag>> ConsumerProgress(const std::string& consumer_group, const std::string& topic);
  Status TransferLeadership(const std::string& broker_group, uint64_t to_node_id);
  // Membership of one broker group, on its leader (admin.proto): one change, answered once
  // applied there; the members with their progress.
  Status ChangeMembership(const std::string& broker_group, const admin::ChangeMembershipRequest& request);
  Result<admin::GroupMembersResponse> GroupMembers(const std::string& broker_group);

  const std::string& client_id() const { return instance_.client_id(); }

 private:
  explicit Admin(const ClientOptions& options) : instance_(options) {}
  Result<std::vector<std::string>> Groups(const std::vector<std::string>& wanted);

  ClientInstance instance_;
};

}  // namespace raftmq::client
