#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include "chaos/report.h"

namespace raftmq::chaos {
namespace {

// "1.23s", or "-" for a time not measured (-1).
std::string Seconds(int64_t ms) {
  if (ms < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), "%.2fs", ms / 1000.0);
  return text;
}

}  // namespace

std::vector<std::string> RunReport::Violations() const {
  std::vector<std::string> all = check.violations;
  all.insert(all.end(), convergence.violations.begin(), convergence.violations.end());
  all.insert(all.end(), harness_problems.begin(), harness_problems.end());
  return all;
}

std::string TextSummary(const RunReport& report) {
  const ChaosOptions& options = *report.options;
  const CheckResult& check = report.check;
  std::ostringstream out;
  char line[256];
  std::string kinds;
  for (const std::string& kind : options.nemeses) kinds += (kinds.empty() ? "" : ",") + kind;
  std::snprintf(line, sizeof(line), "raftmq chaos: seed %llu, %d group(s) of %d nodes, flush %s, %.0f s, %s\n",
                static_cast<unsigned long long>(options.seed), options.groups, options.nodes, options.flush.c_str(),
                report.run_ms / 1000.0, options.loopback ? "loopback" : "network namespaces");
  out << line << "nemeses: " << kinds << "\n";
  std::snprintf(line, sizeof(line), "faults injected %zu, leader changes %zu\n", report.history->faults().size(),
                report.history->leaders().size());
  out << line;
  std::snprintf(line, sizeof(line),
                "sends %llu: acknowledged %llu, failed %llu, unknown %llu (stored anyway: %llu unknown, %llu failed)\n",
                static_cast<unsigned long long>(check.sent), static_cast<unsigned long long>(check.acknowledged),
                static_cast<unsigned long long>(check.failed), static_cast<unsigned long long>(check.unknown),
                static_cast<unsigned long long>(check.unknown_stored),
                static_cast<unsigned long long>(check.failed_stored));
  out << line;
  std::snprintf(line, sizeof(line), "drained %llu: LOST %llu, misplaced %llu, phantom %llu, duplicated %llu, reordered %llu\n",
                static_cast<unsigned long long>(check.drained), static_cast<unsigned long long>(check.lost),
                static_cast<unsigned long long>(check.misplaced), static_cast<unsigned long long>(check.phantom),
                static_cast<unsigned long long>(check.duplicated), static_cast<unsigned long long>(check.reordered));
  out << line;
  std::snprintf(line, sizeof(line), "push consumers: received %llu (%llu redelivered), missed %llu acknowledged\n",
                static_cast<unsigned long long>(check.push_received),
                static_cast<unsigned long long>(check.push_redelivered),
                static_cast<unsigned long long>(check.push_missed));
  out << line;
  std::snprintf(line, sizeof(line), "longest stretch without an acknowledgement: %.2f s\n", check.longest_gap_ms / 1000.0);
  out << line;
  if (!check.kinds.empty()) {
    out << "unavailability per kind (fault start to first ack of a send started after it; longest gap):\n";
    std::snprintf(line, sizeof(line), "  %-17s %5s %10s %10s %10s\n", "KIND", "COUNT", "MEDIAN", "MAX", "MAX GAP");
    out << line;
    bool any_without_majority = false;
    for (const KindAvailability& kind : check.kinds) {
      std::snprintf(line, sizeof(line), "  %-17s %5d %10s %10s %10s%s\n", kind.kind.c_str(), kind.count,
                    Seconds(kind.median_unavailable_ms).c_str(), Seconds(kind.max_unavailable_ms).c_str(),
                    Seconds(kind.max_gap_ms).c_str(),
                    kind.without_majority > 0 ? ("  (" + std::to_string(kind.without_majority) + " *)").c_str() : "");
      out << line;
      any_without_majority = any_without_majority || kind.without_majority > 0;
    }
    if (any_without_majority) {
      out << "  * faults that left no node a majority it could reach both ways: no leader can commit\n"
             "    until the heal, by design; not in the times.\n";
    }
  }
  const std::vector<ProcessExit>& exits = report.history->exits();
  if (!exits.empty()) {
    std::map<std::string, int> by_how;
    for (const ProcessExit& exit : exits) ++by_how[exit.how];
    std::string hows;
    for (const auto& [how, count] : by_how) hows += (hows.empty() ? "" : ", ") + std::to_string(count) + " " + how;
    std::snprintf(line, sizeof(line), "brokers that exited by themselves (restarted by the supervisor): %zu (%s)\n",
                  exits.size(), hows.c_str());
    out << line;
  }
  if (report.convergence.converged_after_ms >= 0) {
    std::snprintf(line, sizeof(line), "after the final heal: every node caught up and holds the same log (%.1f s)\n",
                  report.convergence.converged_after_ms / 1000.0);
    out << line;
  }
  const std::vector<std::string> violations = report.Violations();
  if (violations.empty()) {
    out << "RESULT: PASS\n";
  } else {
    out << "RESULT: FAIL\n";
    for (const std::string& violation : violations) out << "  - " << violation << "\n";
  }
  return out.str();
}

}  // namespace raftmq::chaos
