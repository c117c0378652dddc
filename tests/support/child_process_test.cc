#include "tests/support/child_process.h"

#include <gtest/gtest.h>

#include <fstream>

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/loopback_port.h"
#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"

namespace raftmq::test_support {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait = milliseconds(10000);

std::unique_ptr<ChildProcess> StartShell(const std::string& script) {
  auto child = ChildProcess::Start("/bin/sh", {"-c", script});
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  return child.ok() ? std::move(child).value() : nullptr;
}

TEST(ChildProcess, WaitsForALineOnEitherStream) {
  auto child = StartShell("echo starting; echo 'ready on port 7' >&2; exec sleep 30");
  ASSERT_NE(child, nullptr);
  auto line = child->WaitForLine("ready on", kWait);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, "ready on port 7");
  EXPECT_TRUE(child->WaitForLine("starting", kWait, ChildProcess::Stream::kStdout).ok());
  EXPECT_FALSE(child->WaitForLine("ready on", milliseconds(20), ChildProcess::Stream::kStdout).ok())
      << "the ready line went to stderr only";
}

TEST(ChildProcess, ReportsTheExitCodeAndTheOutput) {
  auto child = StartShell("echo 'bad key: foo' >&2; exit 3");
  ASSERT_NE(child, nullptr);
  auto exit_code = child->WaitForExit(kWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_EQ(*exit_code, 3);
  EXPECT_EQ(child->StderrText(), "bad key: foo\n");
}

TEST(ChildProcess, StopsWaitingForALineOnceTheChildHasExited) {
  auto child = StartShell("echo something else");
  ASSERT_NE(child, nullptr);
  auto line = child->WaitForLine("never printed", kWait);
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.status().message().find("something else"), std::string::npos) << line.status().message();
  EXPECT_NE(line.status().message().find("closed its output"), std::string::npos) << line.status().message();
}

TEST(ChildProcess, StopSendsTheSignalAndReportsIt) {
  auto child = StartShell("exec sleep 30");
  ASSERT_NE(child, nullptr);
  auto exit_code = child->Stop(kWait, SIGTERM);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_EQ(*exit_code, 128 + SIGTERM);
}

TEST(ChildProcess, DestructorKillsTheWholeProcessGroup) {
  auto child = StartShell("sleep 30 & echo $!; wait");
  ASSERT_NE(child, nullptr);
  auto line = child->WaitForLine("", kWait);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  const pid_t grandchild = std::stoi(*line);
  const int grandchild_fd = static_cast<int>(syscall(SYS_pidfd_open, grandchild, 0));
  ASSERT_GE(grandchild_fd, 0);
  child.reset();
  pollfd exited{grandchild_fd, POLLIN, 0};
  EXPECT_EQ(poll(&exited, 1, static_cast<int>(kWait.count())), 1) << "grandchild " << grandchild << " survived";
  close(grandchild_fd);
}

TEST(ChildProcess, SuspendReturnsOnceTheChildIsStopped) {
  auto child = ChildProcess::Start("/bin/sleep", {"30"});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  ASSERT_TRUE((*child)->Suspend(std::chrono::seconds(10)).ok());
  std::ifstream stat("/proc/" + std::to_string((*child)->pid()) + "/stat");
  std::string line;
  std::getline(stat, line);
  EXPECT_EQ(line.substr(line.rfind(')') + 2, 1), "T") << line;
}

TEST(ChildProcess, RefusesAMissingBinary) {
  auto child = ChildProcess::Start("/nonexistent/raftmq-binary", {});
  EXPECT_FALSE(child.ok());
}

TEST(Ports, PicksAPortNothingListensOn) {
  auto port = ReserveLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  EXPECT_GT(*port, 0);
  Status status = WaitForTcpPort("127.0.0.1", *port, milliseconds(30));
  EXPECT_TRUE(status.IsUnavailable()) << status.ToString();
}

TEST(TempDir, RemovesItsFilesOnDestruction) {
  std::filesystem::path path;
  {
    TempDir dir("raftmq_support_test");
    path = dir.path();
    dir.WriteFile("a.toml", "x = 1\n");
    EXPECT_TRUE(std::filesystem::exists(path / "a.toml"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace raftmq::test_support
