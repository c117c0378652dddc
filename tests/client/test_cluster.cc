#include "tests/client/test_cluster.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/ports.h"

namespace raftmq::client::testing {

void TestCluster::Start(const std::vector<std::string>& groups, const std::vector<std::string>& topics,
                        int32_t queues_per_topic) {
  auto port = test_support::PickFreePort();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  nameserver_address_ = "127.0.0.1:" + std::to_string(*port);
  auto process = test_support::ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, {"--listen_address=" + nameserver_address_});
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  nameserver_ = std::move(process).value();
  auto ready = nameserver_->WaitForLine("listening on", kWait);
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  for (const std::string& group : groups) {
    FakeBrokerOptions options;
    options.group_name = group;
    options.topics = topics;
    options.queues_per_topic = queues_per_topic;
    auto broker = FakeBroker::Start(options);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    Status registered = (*broker)->RegisterWith(nameserver_address_);
    ASSERT_TRUE(registered.ok()) << registered.ToString();
    brokers_.push_back(std::move(broker).value());
  }
}

ClientOptions TestCluster::Client() const {
  ClientOptions options;
  options.nameserver_addresses = {nameserver_address_};
  options.rpc_timeout_ms = 2000;
  return options;
}

ProducerOptions TestCluster::Producer() const {
  ProducerOptions options;
  options.client = Client();
  return options;
}

PushConsumerOptions TestCluster::Consumer(const std::string& group) const {
  PushConsumerOptions options;
  options.client = Client();
  options.consumer_group = group;
  options.consume_from_where = ConsumeFromWhere::kFirstOffset;
  options.long_polling_timeout_ms = 500;
  options.persist_consumer_offset_interval_ms = 200;
  options.rebalance_interval_ms = 2000;
  options.heartbeat_broker_interval_ms = 300;
  options.consumer_list_check_interval_ms = 100;
  options.pull_time_delay_ms_when_exception = 100;
  options.consume_thread_count = 4;
  return options;
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace raftmq::client::testing
