// RouteCache: each topic's route as last fetched from a nameserver, turned into the queue lists
// producers and consumers use: writable queues (groups with PERM_WRITE, write_queue_count
// each) and readable queues (PERM_READ, read_queue_count each), both sorted. A route older
// than poll_name_server_interval_ms is fetched again on use; Invalidate forces the next use to
// fetch (after an error). A failed refresh keeps serving the previous route.
//
// Thread-safety: every method may be called from any thread; routes are immutable snapshots.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/message_queue.h"
#include "client/name_server_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace raftmq::client {

struct TopicRoute {
  std::string topic;
  std::vector<std::string> groups;  // every group serving the topic, sorted
  std::vector<MessageQueue> writable_queues;
  std::vector<MessageQueue> readable_queues;
  int64_t fetched_at_ms = 0;  // steady clock

  static TopicRoute FromResponse(const nameserver::GetRouteInfoByTopicResponse& response, int64_t now_ms);
};

class RouteCache {
 public:
  // `nameservers` must outlive the cache.
  RouteCache(NameServerClient* nameservers, int64_t poll_name_server_interval_ms);

  Result<std::shared_ptr<const TopicRoute>> Get(const std::string& topic);
  void Invalidate(const std::string& topic);

 private:
  const int64_t poll_interval_ms_;
  NameServerClient* const nameservers_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const TopicRoute>> routes_;  // guarded by mutex_
  std::map<std::string, bool> stale_;                                 // guarded by mutex_
};

}  // namespace raftmq::client
