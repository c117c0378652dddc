// The real `raftmq` binary: bad flags and an unreachable cluster give one line on stderr and a
// non-zero exit; against real raftmq-nameserver and raftmq-broker processes, every command's
// happy path and the errors only a cluster can give.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/loopback_port.h"
#include "tests/cli/cli_run.h"
#include "tests/support/cluster.h"

namespace raftmq::cli {
namespace {

using test_support::Cluster;
using test_support::ClusterOptions;

constexpr std::chrono::milliseconds kWait = test_support::kClusterWait;
// Routes refreshed twice a second.
const std::vector<std::string> kBrokerFlags = {"--register_broker_interval_ms=500"};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

// One line on stderr, "raftmq: ...", containing `needle`.
void ExpectOneErrorLine(const CliRun& run, const std::string& needle) {
  const auto lines = Lines(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_EQ(lines[0].rfind("raftmq: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(needle), std::string::npos) << lines[0];
}

TEST(CliErrors, BadFlagsExitTwoWithOneLine) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "subcommand is required"},
      {{"bogus"}, "unknown command or argument 'bogus'"},
      {{"topic", "lst"}, "'lst'"},
      {{"send", "--body", "x"}, "--topic is required"},
      {{"send", "--topic", "t"}, "one of --body, --file or --size"},
      {{"send", "--topic", "t", "--body", "x", "--size", "3"}, "excludes"},
      {{"consume", "--topic", "t", "--group", "g", "--from", "middle"}, "--from"},
      {{"leader", "transfer", "--group", "g", "--to", "zero"}, "--to"},
      {{"bench", "--window", "0"}, "--window"},
      {{"send", "--topic", "t", "--body", "x", "--property", "novalue"}, "expected k=v"},
  };
  for (const auto& [args, needle] : cases) {
    SCOPED_TRACE(::testing::PrintToString(args));
    const CliRun run = RunCli(args);
    EXPECT_EQ(run.exit_code, 2);
    ExpectOneErrorLine(run, needle);
  }
}

TEST(CliErrors, HelpExitsZeroForEveryCommand) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"cluster", "status", "--help"}, {"topic", "create", "--help"},
                                             {"send", "--help"}, {"consume", "--help"}, {"group", "lag", "--help"},
                                             {"leader", "transfer", "--help"}, {"bench", "--help"}}) {
    const CliRun run = RunCli(args);
    EXPECT_EQ(run.exit_code, 0) << ::testing::PrintToString(args) << run.err;
    EXPECT_NE(run.out.find("Usage"), std::string::npos) << run.out;
  }
}

TEST(CliErrors, AnUnreachableNameserverExitsOneWithOneLine) {
  auto port = ReserveLoopbackPort();  // nobody listens there
  ASSERT_TRUE(port.ok());
  const std::string nameserver = "--nameserver=127.0.0.1:" + std::to_string(*port);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {nameserver, "cluster", "status"},
           {nameserver, "topic", "list"},
           {nameserver, "send", "--topic", "t", "--body", "x"},
           {nameserver, "consume", "--topic", "t", "--group", "g", "--timeout", "1"},
           {nameserver, "group", "lag", "--group", "g"}}) {
    SCOPED_TRACE(::testing::PrintToString(args));
    const CliRun run = RunCli(args);
    EXPECT_EQ(run.exit_code, 1);
    ExpectOneErrorLine(run, "127.0.0.1:" + std::to_string(*port));
  }
  const CliRun bad_address = RunCli({"--nameserver=nocolon", "topic", "list"});
  EXPECT_EQ(bad_address.exit_code, 1);
  ExpectOneErrorLine(bad_address, "nocolon");
}

// Two groups of one node each, serving "orders" (2 queues).
class CliAgainstCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = Cluster::Start({.groups = 2, .nodes = 1, .broker_flags = kBrokerFlags});
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    cluster_ = std::move(started).value();
    Status created = cluster_->CreateTopicEverywhere("orders", 2);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }
  std::string Nameserver() const { return "--nameserver=" + cluster_->nameserver_address(); }
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(CliAgainstCluster, SendsOneMessageAndPrintsItsIdOrFailsOnAnUnknownTopic) {
  const CliRun run = RunCli({Nameserver(), "--json", "send", "--topic", "orders", "--tag", "paid", "--key", "k1",
                          "--property", "a=b", "--body", "hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto result = nlohmann::json::parse(run.out);
  EXPECT_FALSE(result["message_id"].get<std::string>().empty());
  EXPECT_EQ(result["queue_offset"], 0);

  const CliRun unknown = RunCli({Nameserver(), "send", "--topic", "nope", "--body", "x"});
  EXPECT_EQ(unknown.exit_code, 1) << "not acknowledged";
  ExpectOneErrorLine(unknown, "'nope'");
}

TEST_F(CliAgainstCluster, SendsManyThenConsumesThemAsJsonLines) {
  const CliRun sent = RunCli({Nameserver(), "send", "--topic", "orders", "--tag", "bulk", "--count", "30", "--size", "16"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("30 acknowledged, 0 failed"), std::string::npos) << sent.out;

  const CliRun consumed = RunCli({Nameserver(), "--json", "consume", "--topic", "orders", "--group", "cli", "--from",
                               "first", "--count", "20", "--timeout", "10"});
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  const auto lines = Lines(consumed.out);
  ASSERT_EQ(lines.size(), 20u) << consumed.out;
  for (const std::string& line : lines) {
    const auto message = nlohmann::json::parse(line);
    EXPECT_EQ(message["tag"], "bulk");
    EXPECT_EQ(message["body"].get<std::string>().size(), 16u);
    EXPECT_EQ(message["queue"]["topic"], "orders");
  }
  // The 10 not printed stay for the group's next run.
  const CliRun rest = RunCli({Nameserver(), "--json", "consume", "--topic", "orders", "--group", "cli", "--count", "10",
                           "--timeout", "10"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(Lines(rest.out).size(), 10u) << rest.out;

  const CliRun lag = RunCli({Nameserver(), "--json", "group", "lag", "--group", "cli"});
  ASSERT_EQ(lag.exit_code, 0) << lag.err;
  EXPECT_EQ(nlohmann::json::parse(lag.out)["total_lag"], 0);
  const CliRun short_of_count = RunCli({Nameserver(), "consume", "--topic", "orders", "--group", "cli", "--count", "1",
                                     "--timeout", "1"});
  EXPECT_EQ(short_of_count.exit_code, 1);
  ExpectOneErrorLine(short_of_count, "0 of 1 messages");
}

TEST_F(CliAgainstCluster, CreatesUpdatesDeletesListsTopicsAndShowsClusterStatus) {
  const CliRun created = RunCli({Nameserver(), "topic", "create", "--topic", "audit", "--queues", "3"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("audit"), std::string::npos);
  const CliRun again = RunCli({Nameserver(), "topic", "create", "--topic", "audit"});
  EXPECT_EQ(again.exit_code, 1);
  ExpectOneErrorLine(again, "exists");

  const CliRun described = RunCli({Nameserver(), "--json", "topic", "describe", "--topic", "audit"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  const auto groups = nlohmann::json::parse(described.out);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]["queues"].size(), 3u);

  const CliRun updated = RunCli({Nameserver(), "--json", "topic", "update", "--topic", "audit", "--queues", "5"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  for (const auto& group : nlohmann::json::parse(updated.out)) EXPECT_EQ(group["write_queue_nums"], 5) << updated.out;
  const CliRun deleted = RunCli({Nameserver(), "topic", "delete", "--topic", "audit"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  const CliRun gone = RunCli({Nameserver(), "topic", "describe", "--topic", "audit"});
  EXPECT_EQ(gone.exit_code, 1);
  ExpectOneErrorLine(gone, "'audit'");
  const CliRun deleted_again = RunCli({Nameserver(), "topic", "delete", "--topic", "audit"});
  EXPECT_EQ(deleted_again.exit_code, 1);
  ExpectOneErrorLine(deleted_again, "'audit'");

  const CliRun listed = RunCli({Nameserver(), "topic", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("orders"), std::string::npos);
  EXPECT_NE(listed.out.find("TOPIC"), std::string::npos) << "a table with a header";

  const CliRun status = RunCli({Nameserver(), "--json", "cluster", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto nodes = nlohmann::json::parse(status.out);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0]["role"], "leader");
  EXPECT_EQ(nodes[0]["replication_lag"], 0);
}

TEST_F(CliAgainstCluster, BenchRunsEveryPhaseAndReadsBackAllItSent) {
  const CliRun run = RunCli({Nameserver(), "bench", "--topic", "bench", "--queues", "2", "--size", "64", "--warmup",
                             "5", "--sync", "20", "--async", "200", "--window", "16"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* phase : {"[bench] sync: wall=", "[bench] async: wall=", "[bench] consume: wall="}) {
    EXPECT_NE(run.err.find(phase), std::string::npos) << phase << " missing:\n" << run.err;
  }
  const auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 1u) << run.out;
  EXPECT_EQ(lines[0].rfind("RESULT raftmq sync_msgs_s=", 0), 0u) << lines[0];
  // Both groups' queues are drained: every message sent, warm-up included, is read back.
  EXPECT_NE(lines[0].find(" consume_n=225 window=16 errors=0"), std::string::npos) << lines[0];
}

TEST_F(CliAgainstCluster, ReportsARefusedLeaderTransferInOneLine) {
  const CliRun unknown = RunCli({Nameserver(), "leader", "transfer", "--group", "nope", "--to", "2"});
  EXPECT_EQ(unknown.exit_code, 1);
  ExpectOneErrorLine(unknown, "'nope'");
  const CliRun refused = RunCli({Nameserver(), "leader", "transfer", "--group", "g1", "--to", "2"});
  EXPECT_EQ(refused.exit_code, 1);  // g1 has one node: there is no node 2
  ExpectOneErrorLine(refused, "TransferLeadership");
}

TEST(CliAgainstThreeNodes, TransfersLeadershipAndShowsEveryNode) {
  auto cluster = Cluster::Start({.groups = 1, .nodes = 3, .broker_flags = kBrokerFlags});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto leader = (*cluster)->WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  ASSERT_TRUE((*cluster)->WaitForNameserverLeader(1, *leader).ok());
  const std::string nameserver = "--nameserver=" + (*cluster)->nameserver_address();
  const int target = *leader % 3 + 1;
  const CliRun transferred = RunCli({nameserver, "leader", "transfer", "--group", "g1", "--to", std::to_string(target)});
  ASSERT_EQ(transferred.exit_code, 0) << transferred.err;
  EXPECT_NE(transferred.out.find("handed to node " + std::to_string(target)), std::string::npos) << transferred.out;
  auto new_leader = (*cluster)->WaitForLeader(1, kWait, *leader);
  ASSERT_TRUE(new_leader.ok()) << new_leader.status().ToString();
  EXPECT_EQ(*new_leader, target);
  ASSERT_TRUE((*cluster)->WaitForNameserverLeader(1, target).ok());

  const CliRun status = RunCli({nameserver, "--json", "cluster", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto nodes = nlohmann::json::parse(status.out);
  ASSERT_EQ(nodes.size(), 3u) << status.out;
  int leaders = 0;
  for (const auto& node : nodes) leaders += node["role"] == "leader" ? 1 : 0;
  EXPECT_EQ(leaders, 1) << status.out;
  const CliRun table = RunCli({nameserver, "cluster", "status"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(Lines(table.out).size(), 4u) << "a header and three nodes:\n" << table.out;
}

}  // namespace
}  // namespace raftmq::cli
