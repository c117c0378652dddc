// The real raftmq-nameserver binary as a child process on loopback: configuration handling
// at start, serving routes over gRPC, clean shutdown on SIGTERM.
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "common/loopback_port.h"
#include "nameserver/nameserver_config.h"
#include "proto/nameserver.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/http_get.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace raftmq::nameserver {
namespace {

using test_support::ChildProcess;
constexpr auto kWait = std::chrono::seconds(20);  // generous: the machine is shared

// A started nameserver and a stub connected to it; the ChildProcess kills it on destruction.
struct RunningNameserver {
  std::unique_ptr<ChildProcess> process;
  std::string address;
  std::unique_ptr<Nameserver::Stub> stub;
};

// Starts the binary on a free port and waits for its ready line; fails the test otherwise.
void StartNameserver(std::vector<std::string> args, RunningNameserver* out) {
  auto port = ReserveLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  out->address = "127.0.0.1:" + std::to_string(*port);
  args.push_back("--listen_address=" + out->address);
  auto process = ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, args);
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  out->process = std::move(process).value();
  auto ready = out->process->WaitForLine("raftmq-nameserver listening on", kWait, ChildProcess::Stream::kStdout);
  ASSERT_TRUE(ready.ok()) << "the nameserver did not come up: " << ready.status().ToString();
  EXPECT_EQ(*ready, "raftmq-nameserver listening on " + out->address);
  out->stub = Nameserver::NewStub(grpc::CreateChannel(out->address, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> Deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kWait);
  return context;
}

RegisterBrokerRequest Heartbeat(const std::string& group, uint64_t node_id, Role role, uint64_t term) {
  RegisterBrokerRequest request;
  request.set_cluster_name("main");
  request.set_group_name(group);
  request.set_node_id(node_id);
  request.set_node_address("127.0.0.1:" + std::to_string(20000 + node_id));
  request.set_role(role);
  request.set_term(term);
  TopicQueues* topic = request.add_topics();
  topic->set_topic("orders");
  topic->set_read_queue_count(4);
  topic->set_write_queue_count(4);
  topic->set_perm(PERM_READ | PERM_WRITE);
  return request;
}

grpc::Status Register(Nameserver::Stub* stub, const RegisterBrokerRequest& request) {
  RegisterBrokerResponse response;
  return stub->RegisterBroker(Deadline().get(), request, &response);
}

TEST(NameserverProcess, ServesRoutesRegisteredOverGrpc) {
  RunningNameserver nameserver;
  ASSERT_NO_FATAL_FAILURE(StartNameserver({"--broker_expiry_ms=60000"}, &nameserver));
  Nameserver::Stub* stub = nameserver.stub.get();
  RegisterBrokerResponse registered;
  grpc::Status status = stub->RegisterBroker(Deadline().get(), Heartbeat("g1", 1, LEADER, 2), &registered);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(registered.broker_expiry_ms(), 60000u);
  ASSERT_TRUE(Register(stub, Heartbeat("g1", 2, FOLLOWER, 2)).ok());
  ASSERT_TRUE(Register(stub, Heartbeat("g2", 1, LEADER, 1)).ok());

  GetRouteInfoByTopicRequest query;
  query.set_topic("orders");
  GetRouteInfoByTopicResponse route;
  status = stub->GetRouteInfoByTopic(Deadline().get(), query, &route);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(route.groups_size(), 2);
  EXPECT_EQ(route.groups(0).group().leader_address(), "127.0.0.1:20001");
  EXPECT_EQ(route.groups(0).group().nodes_size(), 2);
  EXPECT_EQ(route.groups(1).write_queue_count(), 4u);

  GetClusterInfoResponse cluster;
  ASSERT_TRUE(stub->GetClusterInfo(Deadline().get(), GetClusterInfoRequest(), &cluster).ok());
  EXPECT_EQ(cluster.groups_size(), 2);
}

TEST(NameserverProcess, ExportsLiveAndExpiredNodesToPrometheus) {
  auto metrics_port = ReserveLoopbackPort();
  ASSERT_TRUE(metrics_port.ok());
  RunningNameserver nameserver;
  ASSERT_NO_FATAL_FAILURE(StartNameserver({"--broker_expiry_ms=1000", "--expiry_scan_interval_ms=50",
                                           "--metrics_listen_address=127.0.0.1:" + std::to_string(*metrics_port)},
                                          &nameserver));
  ASSERT_TRUE(Register(nameserver.stub.get(), Heartbeat("g1", 1, LEADER, 2)).ok());
  ASSERT_TRUE(Register(nameserver.stub.get(), Heartbeat("g1", 2, FOLLOWER, 2)).ok());
  // Both nodes expire 1 s after their heartbeat; poll the page until the scan saw it.
  std::string page;
  test_support::PollUntil([&] {
    auto scraped = test_support::HttpGet(*metrics_port, "/metrics");
    page = scraped.ok() ? std::move(scraped).value() : scraped.status().ToString();
    return test_support::PrometheusSample(page, "raftmq_nameserver_nodes_expired_total") == 2;
  }, kWait);
  EXPECT_EQ(test_support::PrometheusSample(page, "raftmq_nameserver_nodes_expired_total"), 2) << page;
  EXPECT_EQ(test_support::PrometheusSample(page, "raftmq_nameserver_nodes"), 0) << page;
  EXPECT_NE(page.find("raftmq_nameserver_nodes{nameserver=\"" + nameserver.address + "\"}"), std::string::npos)
      << page;
}

TEST(NameserverProcess, AnswersPreciseErrorCodes) {
  RunningNameserver nameserver;
  ASSERT_NO_FATAL_FAILURE(StartNameserver({}, &nameserver));
  RegisterBrokerRequest bad = Heartbeat("g1", 0, LEADER, 1);
  grpc::Status status = Register(nameserver.stub.get(), bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("node_id"), std::string::npos) << status.error_message();

  GetRouteInfoByTopicRequest query;
  query.set_topic("unserved");
  GetRouteInfoByTopicResponse route;
  status = nameserver.stub->GetRouteInfoByTopic(Deadline().get(), query, &route);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("'unserved'"), std::string::npos) << status.error_message();
}

TEST(NameserverProcess, ShutsDownCleanlyOnSigterm) {
  RunningNameserver nameserver;
  ASSERT_NO_FATAL_FAILURE(StartNameserver({}, &nameserver));
  auto exit_code = nameserver.process->Stop(kWait, SIGTERM);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_EQ(*exit_code, 0) << nameserver.process->StderrText();
  EXPECT_NE(nameserver.process->StderrText().find("SIGTERM received"), std::string::npos);
}

TEST(NameserverProcess, SeveralRunSideBySideWithoutSharingState) {
  RunningNameserver first;
  RunningNameserver second;
  ASSERT_NO_FATAL_FAILURE(StartNameserver({}, &first));
  ASSERT_NO_FATAL_FAILURE(StartNameserver({}, &second));
  ASSERT_TRUE(Register(first.stub.get(), Heartbeat("g1", 1, LEADER, 1)).ok());
  GetClusterInfoResponse first_info;
  GetClusterInfoResponse second_info;
  ASSERT_TRUE(first.stub->GetClusterInfo(Deadline().get(), GetClusterInfoRequest(), &first_info).ok());
  ASSERT_TRUE(second.stub->GetClusterInfo(Deadline().get(), GetClusterInfoRequest(), &second_info).ok());
  EXPECT_EQ(first_info.groups_size(), 1);
  EXPECT_EQ(second_info.groups_size(), 0) << "a broker registers with each nameserver itself";
}

TEST(NameserverProcess, ExitsNonZeroWhenItsAddressIsTaken) {
  RunningNameserver first;
  ASSERT_NO_FATAL_FAILURE(StartNameserver({}, &first));
  auto second = ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, {"--listen_address=" + first.address});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto exit_code = (*second)->WaitForExit(kWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_EQ(*exit_code, 1);
  EXPECT_NE((*second)->StderrText().find("cannot listen on " + first.address), std::string::npos)
      << (*second)->StderrText();
}

TEST(NameserverProcess, PrintsItsConfigurationAsTomlThatLoadsBack) {
  auto process = ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, {"--print-config", "--broker_expiry_ms=30000"});
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  auto exit_code = (*process)->WaitForExit(kWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_EQ(*exit_code, 0) << (*process)->StderrText();
  const std::string printed = (*process)->StdoutText();
  EXPECT_NE(printed.find("broker_expiry_ms = 30000"), std::string::npos) << printed;
  EXPECT_NE(printed.find("# forget a broker node"), std::string::npos) << printed;
  auto loaded = NameserverConfigSchema().LoadToml(printed, "printed");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->broker_expiry_ms, 30000);
  EXPECT_EQ(loaded->listen_address, NameserverConfig().listen_address);
}

TEST(NameserverProcess, ExampleConfigIsTheDefaultPrintConfig) {
  std::ifstream example_file(RAFTMQ_NAMESERVER_EXAMPLE_CONFIG);
  ASSERT_TRUE(example_file) << "cannot read " << RAFTMQ_NAMESERVER_EXAMPLE_CONFIG;
  std::stringstream example;
  example << example_file.rdbuf();
  EXPECT_EQ(example.str(), NameserverConfigSchema().ToToml(NameserverConfig()))
      << "regenerate it: raftmq-nameserver --print-config > deploy/config/nameserver.toml";
}

TEST(NameserverProcess, RefusesToStartWithAnUnknownConfigKey) {
  test_support::TempDir dir("raftmq_nameserver_test");
  const auto config = dir.WriteFile("nameserver.toml", "broker_expiry_ms = 60000\nbroker_expiry_seconds = 60\n");
  auto process = ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, {"--config", config});
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  auto exit_code = (*process)->WaitForExit(kWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_NE(*exit_code, 0);
  const std::string error = (*process)->StderrText();
  EXPECT_NE(error.find("unknown key 'broker_expiry_seconds'"), std::string::npos) << error;
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
}

}  // namespace
}  // namespace raftmq::nameserver
