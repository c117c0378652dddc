// Clock: the nameserver's only source of time, injected so RouteTable's expiry is tested with
// a manual clock. Expiry runs on the monotonic clock; the wall clock only labels heartbeats
// for people reading cluster info.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace raftmq::nameserver {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t SteadyNowMs() const = 0;  // monotonic, for expiry and ages
  virtual int64_t UnixNowMs() const = 0;    // wall clock, for display only
};

class SystemClock final : public Clock {
 public:
  int64_t SteadyNowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t UnixNowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace raftmq::nameserver
