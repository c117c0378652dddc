#include "nameserver/route_table.h"

#include <mutex>

#include <spdlog/spdlog.h>

#include "nameserver/request_validation.h"

namespace raftmq::nameserver {

RouteTable::RouteTable(NameserverConfig config, const Clock* clock) : config_(std::move(config)), clock_(clock) {
  RMQ_ASSERT(clock_ != nullptr);
  RMQ_ASSERT(config_.broker_expiry_ms > 0);
}

bool RouteTable::IsLive(const Node& node, int64_t now_ms) const {
  return now_ms - node.last_heartbeat_steady_ms < config_.broker_expiry_ms;
}

Status RouteTable::Register(const RegisterBrokerRequest& request) {
  RMQ_RETURN_IF_ERROR(ValidateRegisterRequest(request, config_));
  std::unique_lock lock(mutex_);
  const int64_t now_ms = clock_->SteadyNowMs();
  RMQ_RETURN_IF_ERROR(AdmitLocked(request, now_ms));
  Group& group = groups_[request.group_name()];
  group.cluster_name = request.cluster_name();
  auto [it, inserted] = group.nodes.try_emplace(request.node_id());
  Node& node = it->second;
  if (inserted) {
    ++node_count_;
    spdlog::info("node {} of group {} ({}) registered from {}", request.node_id(), request.group_name(),
                 request.cluster_name(), request.node_address());
  } else if (IsLive(node, now_ms) && request.term() < node.term) {
    spdlog::debug("ignoring a delayed heartbeat of node {} of group {}: term {} < {}", request.node_id(),
                  request.group_name(), request.term(), node.term);
    return Status::Ok();
  }
  node.address = request.node_address();
  node.role = request.role();
  node.term = request.term();
  node.last_heartbeat_steady_ms = now_ms;
  node.last_heartbeat_unix_ms = clock_->UnixNowMs();
  node.topics.clear();
  for (const TopicQueues& topic : request.topics()) node.topics.emplace(topic.topic(), topic);
  RMQ_ASSERT(node_count_ <= config_.brokers_max);
  return Status::Ok();
}

// Refuses a registration that would move a live group to another cluster or pass brokers_max.
Status RouteTable::AdmitLocked(const RegisterBrokerRequest& request, int64_t now_ms) {
  auto group = groups_.find(request.group_name());
  const bool known = group != groups_.end() && group->second.nodes.contains(request.node_id());
  if (group != groups_.end() && group->second.cluster_name != request.cluster_name()) {
    for (const auto& [id, node] : group->second.nodes) {
      if (IsLive(node, now_ms)) {
        return Status::InvalidArgument("cluster_name: group '" + request.group_name() + "' belongs to cluster '" +
                                       group->second.cluster_name + "', not '" + request.cluster_name() + "'");
      }
    }
  }
  if (!known && node_count_ >= config_.brokers_max) ExpireLocked(now_ms);
  if (!known && node_count_ >= config_.brokers_max) {
    return Status::ResourceExhausted("brokers_max (" + std::to_string(config_.brokers_max) +
                                     ") nodes are registered already");
  }
  return Status::Ok();
}

Result<bool> RouteTable::Unregister(const UnregisterBrokerRequest& request) {
  RMQ_RETURN_IF_ERROR(ValidateUnregisterRequest(request, config_));
  std::unique_lock lock(mutex_);
  auto group = groups_.find(request.group_name());
  if (group == groups_.end() || group->second.cluster_name != request.cluster_name()) return false;
  if (group->second.nodes.erase(request.node_id()) == 0) return false;
  RMQ_ASSERT(node_count_ > 0);
  --node_count_;
  if (group->second.nodes.empty()) groups_.erase(group);
  spdlog::info("node {} of group {} unregistered", request.node_id(), request.group_name());
  return true;
}

std::map<NodeId, RouteTable::Node>::const_iterator RouteTable::LeaderOf(const Group& group, int64_t now_ms) const {
  auto leader = group.nodes.end();
  for (auto it = group.nodes.begin(); it != group.nodes.end(); ++it) {
    const Node& node = it->second;
    if (node.role != LEADER || !IsLive(node, now_ms)) continue;
    if (leader == group.nodes.end() || node.term > leader->second.term ||
        (node.term == leader->second.term &&
         node.last_heartbeat_steady_ms > leader->second.last_heartbeat_steady_ms)) {
      leader = it;
    }
  }
  return leader;
}

const RouteTable::Node* RouteTable::TopicSourceOf(const Group& group, int64_t now_ms) const {
  auto leader = LeaderOf(group, now_ms);
  if (leader != group.nodes.end()) return &leader->second;
  const Node* source = nullptr;
  for (const auto& [id, node] : group.nodes) {
    if (!IsLive(node, now_ms)) continue;
    if (source == nullptr || node.term > source->term ||
        (node.term == source->term && node.last_heartbeat_steady_ms > source->last_heartbeat_steady_ms)) {
      source = &node;
    }
  }
  return source;
}

bool RouteTable::FillGroupInfo(const std::string& group_name, const Group& group, int64_t now_ms,
                               GroupInfo* info) const {
  auto leader = LeaderOf(group, now_ms);
  info->set_cluster_name(group.cluster_name);
  info->set_group_name(group_name);
  for (auto it = group.nodes.begin(); it != group.nodes.end(); ++it) {
    const Node& node = it->second;
    if (!IsLive(node, now_ms)) continue;
    NodeInfo* out = info->add_nodes();
    out->set_node_id(it->first);
    out->set_address(node.address);
    // A LEADER claim that lost to a higher term is shown as FOLLOWER: one leader per route.
    out->set_role(node.role == LEADER && it != leader ? FOLLOWER : node.role);
    out->set_term(node.term);
    out->set_last_heartbeat_unix_ms(node.last_heartbeat_unix_ms);
    out->set_last_heartbeat_age_ms(now_ms - node.last_heartbeat_steady_ms);
  }
  if (leader != group.nodes.end()) {
    info->set_leader_node_id(leader->first);
    info->set_leader_address(leader->second.address);
    info->set_leader_term(leader->second.term);
  }
  return info->nodes_size() > 0;
}

Result<GetRouteInfoByTopicResponse> RouteTable::GetRouteInfoByTopic(std::string_view topic) const {
  RMQ_RETURN_IF_ERROR(ValidateName("topic", topic, config_));
  std::shared_lock lock(mutex_);
  const int64_t now_ms = clock_->SteadyNowMs();
  GetRouteInfoByTopicResponse response;
  response.set_topic(std::string(topic));
  for (const auto& [name, group] : groups_) {
    const Node* source = TopicSourceOf(group, now_ms);
    if (source == nullptr) continue;
    auto queues = source->topics.find(std::string(topic));
    if (queues == source->topics.end()) continue;
    GroupRoute* route = response.add_groups();
    const bool live = FillGroupInfo(name, group, now_ms, route->mutable_group());
    RMQ_ASSERT(live);  // the topic source is a live node
    route->set_read_queue_count(queues->second.read_queue_count());
    route->set_write_queue_count(queues->second.write_queue_count());
    route->set_perm(queues->second.perm());
  }
  if (response.groups_size() == 0) {
    return Status::NotFound("topic '" + std::string(topic) + "' is not served by any live broker group");
  }
  return response;
}

GetClusterInfoResponse RouteTable::GetClusterInfo() const {
  std::shared_lock lock(mutex_);
  const int64_t now_ms = clock_->SteadyNowMs();
  GetClusterInfoResponse response;
  response.set_broker_expiry_ms(static_cast<uint64_t>(config_.broker_expiry_ms));
  for (const auto& [name, group] : groups_) {
    GroupInfo info;
    if (FillGroupInfo(name, group, now_ms, &info)) *response.add_groups() = std::move(info);
  }
  return response;
}

size_t RouteTable::ExpireNodes() {
  std::unique_lock lock(mutex_);
  return ExpireLocked(clock_->SteadyNowMs());
}

size_t RouteTable::ExpireLocked(int64_t now_ms) {
  size_t expired = 0;
  for (auto group = groups_.begin(); group != groups_.end();) {
    std::erase_if(group->second.nodes, [&](const auto& entry) {
      if (IsLive(entry.second, now_ms)) return false;
      spdlog::warn("node {} of group {} at {} expired: no heartbeat for {} ms", entry.first, group->first,
                   entry.second.address, now_ms - entry.second.last_heartbeat_steady_ms);
      ++expired;
      return true;
    });
    group = group->second.nodes.empty() ? groups_.erase(group) : std::next(group);
  }
  RMQ_ASSERT(expired <= node_count_);
  node_count_ -= expired;
  return expired;
}

size_t RouteTable::node_count() const {
  std::shared_lock lock(mutex_);
  return node_count_;
}

}  // namespace raftmq::nameserver
