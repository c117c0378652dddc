// TestCluster: the real raftmq-nameserver binary on a free port plus FakeBrokers registered
// with it, one per named group (each the group's leader), every one serving `topics`; and
// helpers the client integration tests share (options with test-speed intervals, a bounded
// wait for a condition that has no event to await).
//
// Thread-safety: built and torn down by the test thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/client_options.h"
#include "tests/client/fake_broker.h"
#include "tests/support/child_process.h"

namespace raftmq::client::testing {

inline constexpr auto kWait = std::chrono::seconds(20);  // generous: the machine is shared

class TestCluster {
 public:
  // Fails the calling test (ASSERT) when something does not come up.
  void Start(const std::vector<std::string>& groups, const std::vector<std::string>& topics, int32_t queues_per_topic);

  const std::string& nameserver_address() const { return nameserver_address_; }
  FakeBroker& broker(size_t index) { return *brokers_.at(index); }
  size_t broker_count() const { return brokers_.size(); }

  ClientOptions Client() const;
  PushConsumerOptions Consumer(const std::string& group) const;
  ProducerOptions Producer() const;

 private:
  std::unique_ptr<test_support::ChildProcess> nameserver_;
  std::string nameserver_address_;
  std::vector<std::unique_ptr<FakeBroker>> brokers_;
};

// Re-evaluates `condition` until it holds or `timeout` passes: for states only observable by
// asking (a rebalance settling), never as a substitute for an awaitable event.
bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = kWait);

}  // namespace raftmq::client::testing
