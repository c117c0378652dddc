// deploy/local-cluster.sh and deploy/quickstart.sh run for real against the built binaries,
// on free ports (--port-base, --nameserver-port) in a temp dir; and the example broker
// config is exactly what `raftmq-broker --print-config` prints.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/loopback_port.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace raftmq::deploy {
namespace {

using test_support::ChildProcess;
constexpr auto kScriptWait = std::chrono::seconds(60);

struct ScriptRun {
  int exit_code = -1;
  std::string output;  // stdout then stderr
};

// Runs `bash script args...` to its end (bounded); the test fails if it does not end.
ScriptRun RunScript(const std::string& script, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {std::string(RAFTMQ_SOURCE_DIR) + "/deploy/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  ScriptRun run;
  auto process = ChildProcess::Start("/bin/bash", argv);
  EXPECT_TRUE(process.ok()) << process.status().ToString();
  if (!process.ok()) return run;
  auto exit_code = (*process)->WaitForExit(kScriptWait);
  EXPECT_TRUE(exit_code.ok()) << script << " did not end: " << exit_code.status().ToString();
  run.exit_code = exit_code.ok() ? *exit_code : -1;
  run.output = (*process)->StdoutText() + (*process)->StderrText();
  return run;
}

// A port base with `count` ports from it reserved for this test (the script's fixed scheme
// needs a run). A failed attempt keeps what it reserved; it is only a few sockets.
uint16_t ReservePortRun(int count) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto port = ReserveLoopbackPort();
    if (!port.ok() || *port + count > 65535) continue;
    bool all_reserved = true;
    for (int i = 1; i < count && all_reserved; ++i) {
      all_reserved = ReserveLoopbackPort(static_cast<uint16_t>(*port + i)).ok();
    }
    if (all_reserved) return *port;
  }
  ADD_FAILURE() << "no run of " << count << " free ports";
  return 0;
}

class LocalClusterScript : public testing::Test {
 protected:
  void SetUp() override {
    port_base_ = ReservePortRun(3);
    auto nameserver_port = ReserveLoopbackPort();
    ASSERT_TRUE(nameserver_port.ok()) << nameserver_port.status().ToString();
    nameserver_port_ = *nameserver_port;
    cluster_dir_ = dir_.Sub("cluster");
  }
  // The brokers run in their own sessions: only the script stops them, also on failure.
  void TearDown() override { Run("stop", {}); }

  ScriptRun Run(const std::string& command, std::vector<std::string> args) {
    args.insert(args.begin(), command);
    args.insert(args.end(), {"--dir", cluster_dir_});
    return RunScript("local-cluster.sh", args);
  }
  std::string NodeAddress(int node) const { return "127.0.0.1:" + std::to_string(port_base_ + node - 1); }

  test_support::TempDir dir_{"raftmq_deploy_test"};
  std::string cluster_dir_;
  uint16_t port_base_ = 0;
  uint16_t nameserver_port_ = 0;
};

TEST_F(LocalClusterScript, StartsAGroupThatSurvivesAKillAndRestartsAndStops) {
  ScriptRun start = Run("start", {"--build", RAFTMQ_BUILD_DIR, "--port-base", std::to_string(port_base_),
                                  "--nameserver-port", std::to_string(nameserver_port_)});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("leader"), std::string::npos) << start.output;
  for (const char* file : {"cluster.env", "nameserver/nameserver.toml", "g1n1/broker.toml", "g1n3/pid"}) {
    EXPECT_TRUE(std::filesystem::exists(cluster_dir_ + "/" + file)) << file;
  }
  ScriptRun again = Run("start", {});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("g1n2 already running"), std::string::npos) << "start is not idempotent:\n" << again.output;

  ScriptRun status = Run("status", {});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find(NodeAddress(3)), std::string::npos) << status.output;

  ScriptRun killed = Run("kill", {"g1n2"});
  ASSERT_EQ(killed.exit_code, 0) << killed.output;
  status = Run("status", {});
  EXPECT_NE(status.output.find("g1n2        dead"), std::string::npos) << status.output;

  ScriptRun restarted = Run("restart", {"g1n2"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.output;
  status = Run("status", {});
  EXPECT_NE(status.output.find("g1n2        alive"), std::string::npos) << status.output;

  ScriptRun bad_node = Run("kill", {"g7n1"});
  EXPECT_EQ(bad_node.exit_code, 1);
  EXPECT_NE(bad_node.output.find("no node 'g7n1'"), std::string::npos) << bad_node.output;

  ScriptRun stopped = Run("stop", {});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  status = Run("status", {});
  for (const char* node : {"nameserver  dead", "g1n1        dead", "g1n2        dead", "g1n3        dead"}) {
    EXPECT_NE(status.output.find(node), std::string::npos) << status.output;
  }
  EXPECT_EQ(Run("stop", {}).exit_code, 0) << "stop is not idempotent";
}

TEST(Quickstart, SessionSendsReceivesAndFailsOverOnALocalCluster) {
  const uint16_t port_base = ReservePortRun(3);
  auto nameserver_port = ReserveLoopbackPort();
  ASSERT_TRUE(nameserver_port.ok()) << nameserver_port.status().ToString();
  ScriptRun run = RunScript("quickstart.sh", {"--demo-only", "--build", RAFTMQ_BUILD_DIR, "--port-base",
                                              std::to_string(port_base), "--nameserver-port",
                                              std::to_string(*nameserver_port)});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* expected : {"tag demo  hello 3", "leads now", "tag demo  hello 6", "local-cluster: nameserver stopped"}) {
    EXPECT_NE(run.output.find(expected), std::string::npos) << "missing '" << expected << "' in:\n" << run.output;
  }
}

TEST(BrokerConfigExample, IsWhatTheBrokerPrints) {
  auto process = ChildProcess::Start(RAFTMQ_BROKER_BINARY, {"--print-config"});
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  auto exit_code = (*process)->WaitForExit(kScriptWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  ASSERT_EQ(*exit_code, 0) << (*process)->StderrText();
  std::ifstream file(std::string(RAFTMQ_SOURCE_DIR) + "/deploy/config/broker.toml");
  ASSERT_TRUE(file) << "cannot read deploy/config/broker.toml";
  std::stringstream example;
  example << file.rdbuf();
  EXPECT_EQ(example.str(), (*process)->StdoutText())
      << "regenerate it: raftmq-broker --print-config > deploy/config/broker.toml";
}

}  // namespace
}  // namespace raftmq::deploy
