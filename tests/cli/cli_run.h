// One run of the real `raftmq` binary (RAFTMQ_CLI_BINARY) as a child process: its exit code
// and what it printed, for the tests of tests/cli.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/cluster.h"

namespace raftmq::cli {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Fails the test (and returns exit_code -1) when the binary does not start or exit in `limit`.
inline CliRun RunCli(const std::vector<std::string>& args,
                     std::chrono::milliseconds limit = test_support::kClusterWait) {
  CliRun run;
  auto child = test_support::ChildProcess::Start(RAFTMQ_CLI_BINARY, args);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  if (!child.ok()) return run;
  auto code = (*child)->WaitForExit(limit);
  EXPECT_TRUE(code.ok()) << code.status().ToString();
  run.exit_code = code.ok() ? *code : -1;
  run.out = (*child)->StdoutText();
  run.err = (*child)->StderrText();
  return run;
}

}  // namespace raftmq::cli
