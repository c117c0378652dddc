#include "nameserver/request_validation.h"

#include <string>
#include <unordered_set>

#include "common/host_port.h"
#include "common/resource_names.h"

namespace raftmq::nameserver {
namespace {

constexpr uint32_t kPermMask = PERM_READ | PERM_WRITE;

Status ValidateTopicQueues(const std::string& field, const TopicQueues& topic, const NameserverConfig& config) {
  RMQ_RETURN_IF_ERROR(ValidateName(field + ".topic", topic.topic(), config));
  if (topic.read_queue_count() > config.queues_per_topic_max) {
    return Status::InvalidArgument(field + ".read_queue_count: " + std::to_string(topic.read_queue_count()) +
                                   " exceeds queues_per_topic_max " + std::to_string(config.queues_per_topic_max));
  }
  if (topic.write_queue_count() > config.queues_per_topic_max) {
    return Status::InvalidArgument(field + ".write_queue_count: " + std::to_string(topic.write_queue_count()) +
                                   " exceeds queues_per_topic_max " + std::to_string(config.queues_per_topic_max));
  }
  if ((topic.perm() & ~kPermMask) != 0) {
    return Status::InvalidArgument(field + ".perm: " + std::to_string(topic.perm()) +
                                   " has bits other than PERM_READ (4) and PERM_WRITE (2)");
  }
  return Status::Ok();
}

Status ValidateNodeKey(std::string_view cluster_name, std::string_view group_name, uint64_t node_id,
                       const NameserverConfig& config) {
  RMQ_RETURN_IF_ERROR(ValidateName("cluster_name", cluster_name, config));
  RMQ_RETURN_IF_ERROR(ValidateName("group_name", group_name, config));
  if (node_id == 0) return Status::InvalidArgument("node_id: must be at least 1");
  return Status::Ok();
}

}  // namespace

Status ValidateName(std::string_view field, std::string_view name, const NameserverConfig& config) {
  Status checked = CheckResourceName("name", name, config.name_bytes_max);
  if (checked.ok()) return checked;
  return Status::InvalidArgument(std::string(field) + ": " + checked.message());
}

Status ValidateRegisterRequest(const RegisterBrokerRequest& request, const NameserverConfig& config) {
  RMQ_RETURN_IF_ERROR(ValidateNodeKey(request.cluster_name(), request.group_name(), request.node_id(), config));
  Result<HostPort> address = ParseHostPort(request.node_address());
  if (!address.ok()) return Status::InvalidArgument("node_address: " + address.status().message());
  if (address->port == 0) return Status::InvalidArgument("node_address: port 0 is not an address");
  if (!Role_IsValid(request.role()) || request.role() == ROLE_UNSPECIFIED) {
    return Status::InvalidArgument("role: must be LEADER, FOLLOWER or CANDIDATE");
  }
  if (request.role() == LEADER && request.term() == 0) return Status::InvalidArgument("term: a LEADER has a term >= 1");
  if (static_cast<uint64_t>(request.topics_size()) > config.topics_per_broker_max) {
    return Status::ResourceExhausted("topics: " + std::to_string(request.topics_size()) +
                                     " exceed topics_per_broker_max " + std::to_string(config.topics_per_broker_max));
  }
  std::unordered_set<std::string_view> seen;
  for (int i = 0; i < request.topics_size(); ++i) {
    const std::string field = "topics[" + std::to_string(i) + "]";
    RMQ_RETURN_IF_ERROR(ValidateTopicQueues(field, request.topics(i), config));
    if (!seen.insert(request.topics(i).topic()).second) {
      return Status::InvalidArgument(field + ".topic: '" + request.topics(i).topic() + "' is listed twice");
    }
  }
  return Status::Ok();
}

Status ValidateUnregisterRequest(const UnregisterBrokerRequest& request, const NameserverConfig& config) {
  return ValidateNodeKey(request.cluster_name(), request.group_name(), request.node_id(), config);
}

}  // namespace raftmq::nameserver
