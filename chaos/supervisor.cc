#include "chaos/supervisor.h"

#include <cstdio>

namespace raftmq::chaos {

void Supervisor::Step() {
  const int64_t now_ms = clock_->NowMs();
  for (const auto& [node, how] : topology_->ReapExited()) {
    const std::string& name = topology_->nodes()[node].name;
    const size_t exit = history_->RecordExit({name, now_ms, how, -1});
    pending_.push_back({node, now_ms + restart_delay_ms_, exit});
    std::printf("  %7.1fs  %s exited by itself (%s); restarting it in %.1fs\n", now_ms / 1000.0, name.c_str(),
                how.c_str(), restart_delay_ms_ / 1000.0);
    std::fflush(stdout);
  }
  std::vector<PendingRestart> later;
  for (const PendingRestart& restart : pending_) {
    if (clock_->NowMs() < restart.due_ms) {
      later.push_back(restart);
      continue;
    }
    // A nemesis may have started it meanwhile (a kill's heal): then there is nothing to do.
    if (topology_->BrokerRunning(restart.node)) continue;
    // A failed start is reaped and recorded as the next exit, then tried again.
    if (topology_->StartBroker(restart.node).ok()) history_->RecordRestart(restart.exit, clock_->NowMs());
  }
  pending_ = std::move(later);
}

}  // namespace raftmq::chaos
