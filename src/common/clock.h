// Clock: a process's only source of time, injected so what depends on time (route expiry,
// held pulls, delayed messages) is tested with a manual clock (tests/support/manual_clock.h).
// Deadlines and ages run on the monotonic clock; the wall clock only stamps what people and
// other processes read (message store times, heartbeat labels, message ids).
//
// gRPC deadlines are not Clock time: they bound real waits on real sockets.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace raftmq {

// The process's clocks, in milliseconds; code that is given a Clock reads that instead.
inline int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
inline int64_t UnixNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t SteadyNowMs() const = 0;  // monotonic, for deadlines, expiry and ages
  virtual int64_t UnixNowMs() const = 0;    // wall clock, for timestamps others read
};

class SystemClock final : public Clock {
 public:
  int64_t SteadyNowMs() const override { return raftmq::SteadyNowMs(); }
  int64_t UnixNowMs() const override { return raftmq::UnixNowMs(); }
};

}  // namespace raftmq
