#include "client/route_cache.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "common/assert.h"

namespace raftmq::client {

TopicRoute TopicRoute::FromResponse(const nameserver::GetRouteInfoByTopicResponse& response, int64_t now_ms) {
  TopicRoute route;
  route.topic = response.topic();
  route.fetched_at_ms = now_ms;
  for (const nameserver::GroupRoute& group : response.groups()) {
    const std::string& name = group.group().group_name();
    route.groups.push_back(name);
    if ((group.perm() & nameserver::PERM_WRITE) != 0) {
      for (uint32_t q = 0; q < group.write_queue_count(); ++q) {
        route.writable_queues.push_back({route.topic, name, static_cast<int32_t>(q)});
      }
    }
    if ((group.perm() & nameserver::PERM_READ) != 0) {
      for (uint32_t q = 0; q < group.read_queue_count(); ++q) {
        route.readable_queues.push_back({route.topic, name, static_cast<int32_t>(q)});
      }
    }
  }
  std::sort(route.groups.begin(), route.groups.end());
  std::sort(route.writable_queues.begin(), route.writable_queues.end());
  std::sort(route.readable_queues.begin(), route.readable_queues.end());
  return route;
}

RouteCache::RouteCache(NameServerClient* nameservers, int64_t poll_name_server_interval_ms)
    : poll_interval_ms_(poll_name_server_interval_ms), nameservers_(nameservers) {
  RMQ_ASSERT(nameservers_ != nullptr);
  RMQ_ASSERT(poll_interval_ms_ > 0);
}

Result<std::shared_ptr<const TopicRoute>> RouteCache::Get(const std::string& topic) {
  const int64_t now_ms = SteadyNowMs();
  std::shared_ptr<const TopicRoute> cached;
  {
    std::lock_guard lock(mutex_);
    auto it = routes_.find(topic);
    if (it != routes_.end()) cached = it->second;
    if (cached && !stale_[topic] && now_ms - cached->fetched_at_ms < poll_interval_ms_) return cached;
  }
  auto response = nameservers_->GetRoute(topic);
  if (!response.ok()) {
    if (cached && !response.status().IsNotFound()) {
      spdlog::warn("route of topic {}: refresh failed, keeping the previous one: {}", topic,
                   response.status().ToString());
      return cached;
    }
    return response.status();
  }
  auto fresh = std::make_shared<const TopicRoute>(TopicRoute::FromResponse(*response, now_ms));
  std::lock_guard lock(mutex_);
  routes_[topic] = fresh;
  stale_[topic] = false;
  return fresh;
}

void RouteCache::Invalidate(const std::string& topic) {
  std::lock_guard lock(mutex_);
  stale_[topic] = true;
}

}  // namespace raftmq::client
