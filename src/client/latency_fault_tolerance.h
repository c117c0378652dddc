// LatencyFaultTolerance: the producer's memory of slow or failing broker groups, RocketMQ's
// sendLatencyFaultEnable (LatencyFaultToleranceImpl + MQFaultStrategy, 5.1.4 defaults). A
// send that took at least latency_levels_ms[i] makes the group unavailable for
// not_available_ms[i] from now; a failed send counts as the highest level. The queue
// selector prefers available groups and falls back to the least bad one.
//
// Invariant: the two tables have the same length and ascending latencies.
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace raftmq::client {

struct LatencyFaultOptions {
  std::vector<int64_t> latency_levels_ms = {50, 100, 550, 1800, 3000, 5000, 15000};
  std::vector<int64_t> not_available_ms = {0, 0, 2000, 5000, 6000, 10000, 30000};
};

class LatencyFaultTolerance {
 public:
  explicit LatencyFaultTolerance(LatencyFaultOptions options = {});

  // Records one send to `group` that took `latency_ms` (ignored when `failed`) at `now_ms`.
  void Update(const std::string& group, int64_t latency_ms, bool failed, int64_t now_ms);
  bool IsAvailable(const std::string& group, int64_t now_ms) const;
  // Of `groups`, the one whose avoidance ends first (RocketMQ's pickOneAtLeast).
  std::optional<std::string> LeastBad(const std::vector<std::string>& groups) const;
  // How long a send of `latency_ms` makes its group unavailable.
  int64_t NotAvailableDurationMs(int64_t latency_ms) const;

 private:
  const LatencyFaultOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, int64_t> available_from_ms_;  // group -> steady time its avoidance ends
};

}  // namespace raftmq::client
