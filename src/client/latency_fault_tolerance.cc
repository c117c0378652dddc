#include "client/latency_fault_tolerance.h"

#include <algorithm>

#include "common/assert.h"

namespace raftmq::client {

LatencyFaultTolerance::LatencyFaultTolerance(LatencyFaultOptions options) : options_(std::move(options)) {
  RMQ_ASSERT(options_.latency_levels_ms.size() == options_.not_available_ms.size());
  RMQ_ASSERT(!options_.latency_levels_ms.empty());
  RMQ_ASSERT(std::is_sorted(options_.latency_levels_ms.begin(), options_.latency_levels_ms.end()));
}

int64_t LatencyFaultTolerance::NotAvailableDurationMs(int64_t latency_ms) const {
  for (size_t i = options_.latency_levels_ms.size(); i-- > 0;) {
    if (latency_ms >= options_.latency_levels_ms[i]) return options_.not_available_ms[i];
  }
  return 0;
}

void LatencyFaultTolerance::Update(const std::string& group, int64_t latency_ms, bool failed, int64_t now_ms) {
  RMQ_ASSERT(!group.empty());
  const int64_t effective_ms = failed ? options_.latency_levels_ms.back() : latency_ms;
  const int64_t duration_ms = NotAvailableDurationMs(effective_ms);
  std::lock_guard lock(mutex_);
  available_from_ms_[group] = now_ms + duration_ms;
}

bool LatencyFaultTolerance::IsAvailable(const std::string& group, int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  auto it = available_from_ms_.find(group);
  return it == available_from_ms_.end() || now_ms >= it->second;
}

std::optional<std::string> LatencyFaultTolerance::LeastBad(const std::vector<std::string>& groups) const {
  std::lock_guard lock(mutex_);
  std::optional<std::string> best;
  int64_t best_from_ms = 0;
  for (const std::string& group : groups) {
    auto it = available_from_ms_.find(group);
    const int64_t from_ms = it == available_from_ms_.end() ? 0 : it->second;
    if (!best || from_ms < best_from_ms) {
      best = group;
      best_from_ms = from_ms;
    }
  }
  return best;
}

}  // namespace raftmq::client
