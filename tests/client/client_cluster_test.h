// ClientClusterTest: the fixture of the client library's integration tests — a real cluster
// (tests/support/cluster.h: a raftmq-nameserver and raftmq-broker processes) started by each
// test in the shape it needs, brokers tuned to react at test speed, client options with
// test-speed intervals, and what the tests read back from the brokers (stored messages,
// committed offsets, live consumers) through the real Admin and Messaging services.
//
// Also the bounded wait for a state that has no event to await (a rebalance settling).
//
// Thread-safety: the test thread drives the fixture; Eventually may run anywhere.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/admin.h"
#include "client/client_options.h"
#include "tests/support/cluster.h"
#include "tests/support/poll.h"

namespace raftmq::client::testing {

inline constexpr std::chrono::milliseconds kWait = test_support::kClusterWait;

// Bounded polling for states only observable by asking (a rebalance settling).
using test_support::Eventually;

struct TopicSpec {
  std::string name;
  int queues = 4;
};

class ClientClusterTest : public ::testing::Test {
 protected:
  // `groups` broker groups of `nodes` nodes each, every topic created on every group and
  // routed by the nameserver. `broker_flags` come after the fixture's own, so they win.
  // Fails the test (ASSERT) when something does not come up.
  void StartCluster(int groups, int nodes, const std::vector<TopicSpec>& topics,
                    const std::vector<std::string>& broker_flags = {});

  test_support::Cluster& cluster() { return *cluster_; }
  Admin& admin() { return *admin_; }

  ClientOptions ClientConfig() const;
  ProducerOptions ProducerConfig() const;
  PushConsumerOptions ConsumerConfig(const std::string& group) const;

  // Messages stored in `topic` over every queue of every group (the leaders' max offsets).
  int64_t StoredMessages(const std::string& topic);
  // Per queue of `topic` on every group: the broker's max offset and `group`'s committed
  // offset (-1 when never committed).
  std::vector<GroupQueueLag> Progress(const std::string& consumer_group, const std::string& topic);
  // The live consumers of `consumer_group` as `group`'s leader knows them.
  std::vector<std::string> Consumers(int group, const std::string& consumer_group);

 private:
  std::unique_ptr<test_support::Cluster> cluster_;
  std::unique_ptr<Admin> admin_;
};

}  // namespace raftmq::client::testing
