// ManualClock: a Clock that moves only when a test advances it, so expiry and deadlines are
// tested exactly, with no assertion on how long anything took.
// Thread-safety: atomic; safe to read from server threads while the test advances it.
#pragma once

#include <atomic>
#include <cstdint>

#include "common/clock.h"

namespace raftmq {

class ManualClock final : public Clock {
 public:
  int64_t SteadyNowMs() const override { return steady_ms_.load(); }
  int64_t UnixNowMs() const override { return kUnixEpochOffsetMs + steady_ms_.load(); }
  void AdvanceMs(int64_t ms) { steady_ms_ += ms; }

  static constexpr int64_t kUnixEpochOffsetMs = 1'700'000'000'000;

 private:
  std::atomic<int64_t> steady_ms_{1000};
};

}  // namespace raftmq
