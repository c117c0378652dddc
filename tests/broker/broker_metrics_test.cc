// A real raftmq-broker process serving Prometheus metrics: the Raft series read what the node
// is (a one-node group leads itself and applies its no-op), labelled with its identity; a
// metrics address that cannot be bound stops the start with the address named.
#include <gtest/gtest.h>

#include <thread>

#include "common/loopback_port.h"
#include "tests/support/child_process.h"
#include "tests/support/http_get.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

using namespace std::chrono_literals;
using test_support::ChildProcess;

double Sample(const std::string& page, const std::string& name) {
  return test_support::PrometheusSample(page, name).value_or(-1);
}

std::unique_ptr<ChildProcess> StartBroker(const test_support::TempDir& dir, uint16_t port, const std::string& metrics) {
  auto process = ChildProcess::Start(
      RAFTMQ_BROKER_BINARY, {"--broker_group=g1", "--node_id=1", "--peers=127.0.0.1:" + std::to_string(port),
                             "--data_dir=" + dir.Sub("node1"), "--metrics_listen_address=" + metrics});
  EXPECT_TRUE(process.ok()) << process.status().ToString();
  return process.ok() ? std::move(process).value() : nullptr;
}

TEST(BrokerMetrics, ServesTheRaftStateOfTheNodeLabelledWithItsIdentity) {
  test_support::TempDir dir("broker_metrics");
  auto port = ReserveLoopbackPort();
  auto metrics_port = ReserveLoopbackPort();
  ASSERT_TRUE(port.ok() && metrics_port.ok());
  auto broker = StartBroker(dir, *port, "127.0.0.1:" + std::to_string(*metrics_port));
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->WaitForLine("raftmq-broker listening on", 20s, ChildProcess::Stream::kStdout).ok());

  // The node elects itself and applies its no-op on its own schedule: poll the page.
  std::string page;
  test_support::PollUntil([&] {
    auto scraped = test_support::HttpGet(*metrics_port, "/metrics");
    page = scraped.ok() ? std::move(scraped).value() : scraped.status().ToString();
    return Sample(page, "raftmq_raft_is_leader") == 1 && Sample(page, "raftmq_raft_applied_index") >= 1;
  });
  EXPECT_EQ(Sample(page, "raftmq_raft_is_leader"), 1) << page;
  EXPECT_GE(Sample(page, "raftmq_raft_term"), 1) << page;
  EXPECT_GE(Sample(page, "raftmq_raft_applied_index"), 1) << page;
  EXPECT_GE(Sample(page, "raftmq_raft_commit_index"), Sample(page, "raftmq_raft_applied_index")) << page;
  EXPECT_GE(Sample(page, "raftmq_raft_elections_started_total"), 1) << page;
  EXPECT_EQ(Sample(page, "raftmq_broker_entries_skipped_total"), 0) << page;
  EXPECT_NE(page.find("# TYPE raftmq_raft_proposals_total counter"), std::string::npos) << page;
  // Every counter the Node and its transport keep is exported, these six included.
  for (const char* counter : {"raftmq_raft_messages_received_total", "raftmq_raft_messages_sent_total",
                              "raftmq_raft_readys_total", "raftmq_raft_transport_batches_sent_total",
                              "raftmq_raft_transport_messages_dropped_unknown_peer_total",
                              "raftmq_raft_transport_messages_invalid_total"}) {
    EXPECT_NE(page.find(std::string("# TYPE ") + counter + " counter"), std::string::npos) << counter;
  }
  EXPECT_GE(Sample(page, "raftmq_raft_readys_total"), 1) << page;
  EXPECT_NE(page.find("raftmq_raft_term{cluster=\"DefaultCluster\",group=\"g1\",node=\"1\"}"), std::string::npos)
      << page;
}

TEST(BrokerMetrics, AnAddressThatCannotBeBoundStopsTheStartAndIsNamed) {
  test_support::TempDir dir("broker_metrics_taken");
  auto port = ReserveLoopbackPort();
  ASSERT_TRUE(port.ok());
  // The broker's own gRPC port is taken by then: metrics cannot bind it.
  const std::string taken = "127.0.0.1:" + std::to_string(*port);
  auto broker = StartBroker(dir, *port, taken);
  ASSERT_NE(broker, nullptr);
  auto line = broker->WaitForLine("cannot serve metrics on " + taken, 20s);
  EXPECT_TRUE(line.ok()) << line.status().ToString();
  auto code = broker->WaitForExit(20s);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_NE(*code, 0);
}

}  // namespace
}  // namespace raftmq::broker
