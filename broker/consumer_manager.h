// ConsumerManager: the live consumers of each group on this node, learnt from heartbeats
// (RocketMQ's ConsumerManager). A consumer not heard from for consumer_channel_expired_ms
// leaves its group; the sorted list of live client ids is the input of a client's rebalance.
// Local, not replicated: consumers heartbeat every broker they read from.
//
// Time is passed in (steady milliseconds) so tests need no clock.
//
// Threading: every method from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "broker/broker_options.h"
#include "proto/messaging.pb.h"

namespace raftmq::broker {

class ConsumerManager {
 public:
  explicit ConsumerManager(const BrokerOptions& options);

  // Registers or refreshes a consumer. INVALID_ARGUMENT on a bad group/topic name, an empty
  // client id or too many subscriptions; RESOURCE_EXHAUSTED when a new group or consumer
  // would exceed consumer_groups_max or consumers_per_group_max. Nothing changes on error.
  // A heartbeat with `unregister` drops the consumer (and its group when it was the last).
  grpc::Status Heartbeat(const messaging::HeartbeatRequest& request, int64_t now_ms);

  // Live client ids of `group`, sorted; empty for an unknown group.
  std::vector<std::string> ConsumerList(const std::string& group, int64_t now_ms) const;

  // Drops consumers silent for longer than consumer_channel_expired_ms (and empty groups);
  // returns how many consumers left. Heartbeat runs it every half expiry, so memory stays
  // bounded without a timer thread.
  size_t ScanExpired(int64_t now_ms);

  size_t GroupCount() const;

 private:
  struct Consumer {
    int64_t last_heartbeat_ms = 0;
    messaging::MessageModel message_model = messaging::CLUSTERING;
    std::vector<messaging::Subscription> subscriptions;
  };
  using Group = std::map<std::string, Consumer>;  // by client id

  size_t ScanExpiredLocked(int64_t now_ms);
  grpc::Status CheckHeartbeat(const messaging::HeartbeatRequest& request) const;
  bool Expired(const Consumer& consumer, int64_t now_ms) const {
    return now_ms - consumer.last_heartbeat_ms > options_.consumer_channel_expired_ms;
  }

  const BrokerOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Group> groups_;
  int64_t scanned_ms_ = 0;
};

}  // namespace raftmq::broker
