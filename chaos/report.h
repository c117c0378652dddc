// The report of a chaos run, written to the out dir:
//   result.json   every number of the summary, each fault with its unavailability, each
//                 leader change, the per-node digests and every broken invariant
//   summary.txt   the one-screen text summary (also printed)
//   report.html   one self-contained page with an inline SVG: throughput (acknowledged sends
//                 per second) and send latency over time, each fault a shaded band labelled
//                 with its kind and target, each leader change a marked line
//
// Threading: pure functions of the finished run.
#pragma once

#include <string>
#include <vector>

#include "chaos/checker.h"
#include "chaos/convergence.h"
#include "chaos/history.h"
#include "chaos/options.h"
#include "common/status.h"

namespace raftmq::chaos {

struct RunReport {
  const ChaosOptions* options = nullptr;
  const History* history = nullptr;
  CheckResult check;
  ConvergenceResult convergence;
  std::vector<std::string> harness_problems;  // a node that would not restart, a failed drain, ...
  int64_t run_ms = 0;

  // Every broken invariant: the checker's, convergence's and the harness problems.
  std::vector<std::string> Violations() const;
  bool passed() const { return Violations().empty(); }
};

std::string TextSummary(const RunReport& report);
Status WriteJson(const RunReport& report, const std::string& path);
Status WriteHtml(const RunReport& report, const std::string& path);

}  // namespace raftmq::chaos
