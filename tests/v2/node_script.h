// RunNodeScript: one of the official Node.js client's test scripts (tests/v2/node/, copied
// into the build tree with the client installed by the v2_npm_ci fixture) run to its end;
// StartNodeScript one that a test stops itself; JsonLines what they print.
#pragma once

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"

namespace raftmq::e2e {

// npm's client starts in a few seconds; the machine is shared.
inline constexpr auto kNodeScriptWait = std::chrono::seconds(180);

// node/<script> with `args`, running; fails the test if it cannot start.
inline void StartNodeScript(const std::string& script, const std::vector<std::string>& args,
                            std::unique_ptr<test_support::ChildProcess>* child) {
  std::vector<std::string> argv = {std::string(RAFTMQ_V2_NODE_DIR) + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  auto started = test_support::ChildProcess::Start(RAFTMQ_NODE_BINARY, argv);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  *child = std::move(started).value();
}

// node/<script> with `args`; fails the test unless it exits 0 within kNodeScriptWait;
// `stdout_text` gets what it printed.
inline void RunNodeScript(const std::string& script, const std::vector<std::string>& args, std::string* stdout_text) {
  std::unique_ptr<test_support::ChildProcess> child;
  ASSERT_NO_FATAL_FAILURE(StartNodeScript(script, args, &child));
  auto exit_code = child->WaitForExit(kNodeScriptWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  ASSERT_EQ(*exit_code, 0) << "stdout:\n" << child->StdoutText() << "\nstderr:\n" << child->StderrText();
  *stdout_text = child->StdoutText();
}

// The JSON object lines of a script's output, in order (the others are skipped).
inline std::vector<nlohmann::json> JsonLines(const std::string& output) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.front() == '{') objects.push_back(nlohmann::json::parse(line));
  }
  return objects;
}

}  // namespace raftmq::e2e
