#include "broker/v2/route_mapping.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace raftmq::broker::v2 {
namespace {

pb::Permission PermissionOf(const nameserver::GroupRoute& group, uint32_t queue_id) {
  const bool readable = (group.perm() & nameserver::PERM_READ) != 0 && queue_id < group.read_queue_count();
  const bool writable = (group.perm() & nameserver::PERM_WRITE) != 0 && queue_id < group.write_queue_count();
  if (readable && writable) return pb::READ_WRITE;
  if (readable) return pb::READ;
  if (writable) return pb::WRITE;
  return pb::NONE;
}

}  // namespace

pb::Endpoints ToEndpoints(const std::string& host_port) {
  pb::Endpoints endpoints;
  const size_t colon = host_port.rfind(':');
  std::string host = host_port.substr(0, colon);
  const int port = colon == std::string::npos ? 0 : std::atoi(host_port.c_str() + colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char address[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), address) == 1) {
    endpoints.set_scheme(pb::IPv4);
  } else if (inet_pton(AF_INET6, host.c_str(), address) == 1) {
    endpoints.set_scheme(pb::IPv6);
  } else {
    endpoints.set_scheme(pb::DOMAIN_NAME);
  }
  pb::Address* added = endpoints.add_addresses();
  added->set_host(host);
  added->set_port(port);
  return endpoints;
}

std::vector<pb::MessageQueue> ToMessageQueues(const nameserver::GetRouteInfoByTopicResponse& route) {
  std::vector<pb::MessageQueue> queues;
  for (const nameserver::GroupRoute& group : route.groups()) {
    if (group.group().leader_address().empty()) continue;
    pb::Broker broker;
    broker.set_name(group.group().group_name());
    broker.set_id(0);
    *broker.mutable_endpoints() = ToEndpoints(group.group().leader_address());
    const uint32_t count = std::max(group.read_queue_count(), group.write_queue_count());
    for (uint32_t id = 0; id < count; ++id) {
      pb::MessageQueue& queue = queues.emplace_back();
      queue.mutable_topic()->set_name(route.topic());
      queue.set_id(static_cast<int32_t>(id));
      queue.set_permission(PermissionOf(group, id));
      *queue.mutable_broker() = broker;
      queue.add_accept_message_types(pb::NORMAL);
    }
  }
  return queues;
}

std::vector<pb::Assignment> ToAssignments(const nameserver::GetRouteInfoByTopicResponse& route) {
  std::vector<pb::Assignment> assignments;
  for (pb::MessageQueue& queue : ToMessageQueues(route)) {
    if (queue.permission() != pb::READ && queue.permission() != pb::READ_WRITE) continue;
    *assignments.emplace_back().mutable_message_queue() = std::move(queue);
  }
  return assignments;
}

}  // namespace raftmq::broker::v2
