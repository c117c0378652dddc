// RouteTable: the nameserver's whole state — broker groups, their nodes as last heard, and
// each node's topic table — built only from heartbeats (RegisterBroker), so any number of
// nameservers hold the same picture without talking to each other.
//
// Invariants:
//  - a node is live while now - last heartbeat < broker_expiry_ms; queries see live nodes
//    only, ExpireNodes() frees the rest (so answers never depend on the scan's timing);
//  - a group's leader is its live node claiming LEADER with the highest term (ties: the later
//    heartbeat); any other LEADER claim is shown as FOLLOWER, so a route has one leader;
//  - a live node's heartbeat with a lower term than the one it last reported is a delayed
//    duplicate and is ignored (Raft terms never go back);
//  - a group belongs to one cluster while it has live nodes; at most brokers_max nodes.
// Thread-safety: all methods may be called concurrently (a shared mutex; queries share it).
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/clock.h"
#include "nameserver/nameserver_config.h"
#include "proto/nameserver.pb.h"

namespace raftmq::nameserver {

class RouteTable {
 public:
  // `clock` must outlive the table.
  RouteTable(NameserverConfig config, const Clock* clock);

  // A heartbeat: validates it (InvalidArgument / ResourceExhausted, nothing changed), then
  // replaces what is known of that node.
  Status Register(const RegisterBrokerRequest& request);
  // Forgets the node; false when it was not registered.
  Result<bool> Unregister(const UnregisterBrokerRequest& request);

  // Every live group whose topic table lists `topic`; NotFound naming the topic when none.
  Result<GetRouteInfoByTopicResponse> GetRouteInfoByTopic(std::string_view topic) const;
  GetClusterInfoResponse GetClusterInfo() const;

  // Drops nodes past their expiry (and groups left empty); returns how many nodes went.
  size_t ExpireNodes();
  size_t node_count() const;

  const NameserverConfig& config() const { return config_; }

 private:
  struct Node {
    std::string address;
    Role role = ROLE_UNSPECIFIED;
    uint64_t term = 0;
    int64_t last_heartbeat_steady_ms = 0;
    int64_t last_heartbeat_unix_ms = 0;
    std::unordered_map<std::string, TopicQueues> topics;
  };
  struct Group {
    std::string cluster_name;
    std::map<NodeId, Node> nodes;
  };

  bool IsLive(const Node& node, int64_t now_ms) const;
  // The group's leader, or end() when no live node claims LEADER.
  std::map<NodeId, Node>::const_iterator LeaderOf(const Group& group, int64_t now_ms) const;
  // Whose topic table speaks for the group: the leader, else the live node with the highest
  // term; nullptr when no node is live.
  const Node* TopicSourceOf(const Group& group, int64_t now_ms) const;
  // False when the group has no live node.
  bool FillGroupInfo(const std::string& group_name, const Group& group, int64_t now_ms, GroupInfo* info) const;
  Status AdmitLocked(const RegisterBrokerRequest& request, int64_t now_ms);
  size_t ExpireLocked(int64_t now_ms);

  const NameserverConfig config_;
  const Clock* const clock_;

  mutable std::shared_mutex mutex_;
  std::map<std::string, Group, std::less<>> groups_;  // by group name
  size_t node_count_ = 0;                             // over all groups, live or not yet expired
};

}  // namespace raftmq::nameserver
