// RunClock: milliseconds since the chaos run started, the time axis of the whole history.
//
// Threading: read-only after construction.
#pragma once

#include <chrono>
#include <cstdint>

namespace raftmq::chaos {

class RunClock {
 public:
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace raftmq::chaos
