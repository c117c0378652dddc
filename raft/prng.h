// Prng: the only source of randomness in raft::Core (election timeouts), a SplitMix64
// generator so a seed fixes every draw and a run replays exactly.
//
// Threading: a plain value.
#pragma once

#include <cstdint>

#include "common/assert.h"

namespace raftmq::raft {

class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform enough in [min, max) for timeouts and fault schedules (max - min is small).
  uint64_t Between(uint64_t min, uint64_t max) {
    RMQ_ASSERT(min < max);
    return min + Next() % (max - min);
  }

  // True with probability numerator / denominator.
  bool Chance(uint64_t numerator, uint64_t denominator) {
    RMQ_ASSERT(denominator > 0);
    return Next() % denominator < numerator;
  }

 private:
  uint64_t state_;
};

}  // namespace raftmq::raft
