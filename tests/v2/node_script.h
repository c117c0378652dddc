// RunNodeScript: one of the official Node.js client's test scripts (tests/v2/node/, copied
// into the build tree with the client installed by the v2_npm_ci fixture) run to its end.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/child_process.h"

namespace raftmq::e2e {

// npm's client starts in a few seconds; the machine is shared.
inline constexpr auto kNodeScriptWait = std::chrono::seconds(180);

// node/<script> with `args`; fails the test unless it exits 0 within kNodeScriptWait;
// `stdout_text` gets what it printed.
inline void RunNodeScript(const std::string& script, const std::vector<std::string>& args, std::string* stdout_text) {
  std::vector<std::string> argv = {std::string(RAFTMQ_V2_NODE_DIR) + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = test_support::ChildProcess::Start(RAFTMQ_NODE_BINARY, argv);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  auto exit_code = (*child)->WaitForExit(kNodeScriptWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  ASSERT_EQ(*exit_code, 0) << "stdout:\n" << (*child)->StdoutText() << "\nstderr:\n" << (*child)->StderrText();
  *stdout_text = (*child)->StdoutText();
}

}  // namespace raftmq::e2e
