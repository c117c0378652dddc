#include "broker/consumer_manager.h"

#include "broker/names.h"
#include "common/assert.h"

namespace raftmq::broker {

ConsumerManager::ConsumerManager(const BrokerOptions& options) : options_(options) {
  RMQ_ASSERT(options.consumer_channel_expired_ms > 0);
}

grpc::Status ConsumerManager::CheckHeartbeat(const messaging::HeartbeatRequest& request) const {
  grpc::Status status = CheckGroupName(request.consumer_group());
  if (!status.ok()) return status;
  if (request.client_id().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "client id is empty"};
  if (request.client_id().size() > kNameLengthMax) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "client id is longer than 127 characters"};
  }
  if (static_cast<uint32_t>(request.subscriptions_size()) > options_.subscriptions_per_consumer_max) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "more than subscriptions_per_consumer_max = " + std::to_string(options_.subscriptions_per_consumer_max) +
                " subscriptions"};
  }
  for (const messaging::Subscription& subscription : request.subscriptions()) {
    status = CheckName("topic", subscription.topic());
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

grpc::Status ConsumerManager::Heartbeat(const messaging::HeartbeatRequest& request, int64_t now_ms) {
  grpc::Status status = CheckHeartbeat(request);
  if (!status.ok()) return status;
  std::lock_guard lock(mutex_);
  if (now_ms - scanned_ms_ >= options_.consumer_channel_expired_ms / 2) ScanExpiredLocked(now_ms);
  auto group = groups_.find(request.consumer_group());
  if (request.unregister()) {
    // A consumer leaving on purpose: drop it now so the others rebalance at once.
    if (group != groups_.end() && group->second.erase(request.client_id()) > 0 && group->second.empty()) {
      groups_.erase(group);
    }
    return grpc::Status::OK;
  }
  if (group == groups_.end()) {
    if (groups_.size() >= options_.consumer_groups_max) {
      return {grpc::StatusCode::RESOURCE_EXHAUSTED,
              "consumer_groups_max = " + std::to_string(options_.consumer_groups_max) + " groups are live"};
    }
    group = groups_.emplace(request.consumer_group(), Group()).first;
  }
  auto consumer = group->second.find(request.client_id());
  if (consumer == group->second.end()) {
    if (group->second.size() >= options_.consumers_per_group_max) {
      if (group->second.empty()) groups_.erase(group);
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, "consumers_per_group_max = " +
                                                        std::to_string(options_.consumers_per_group_max) +
                                                        " consumers are live in group " + request.consumer_group()};
    }
    consumer = group->second.emplace(request.client_id(), Consumer()).first;
  }
  consumer->second.last_heartbeat_ms = now_ms;
  consumer->second.message_model = request.message_model();
  consumer->second.subscriptions.assign(request.subscriptions().begin(), request.subscriptions().end());
  return grpc::Status::OK;
}

std::vector<std::string> ConsumerManager::ConsumerList(const std::string& group, int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  auto it = groups_.find(group);
  if (it == groups_.end()) return ids;
  for (const auto& [client_id, consumer] : it->second) {
    if (!Expired(consumer, now_ms)) ids.push_back(client_id);  // map order: sorted
  }
  return ids;
}

size_t ConsumerManager::ScanExpired(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return ScanExpiredLocked(now_ms);
}

size_t ConsumerManager::ScanExpiredLocked(int64_t now_ms) {
  scanned_ms_ = now_ms;
  size_t removed = 0;
  for (auto group = groups_.begin(); group != groups_.end();) {
    removed += std::erase_if(group->second, [&](const auto& entry) { return Expired(entry.second, now_ms); });
    group = group->second.empty() ? groups_.erase(group) : std::next(group);
  }
  return removed;
}

size_t ConsumerManager::GroupCount() const {
  std::lock_guard lock(mutex_);
  return groups_.size();
}

}  // namespace raftmq::broker
