#include "raft/inflights.h"

#include "common/assert.h"

namespace raftmq::raft {

Inflights::Inflights(uint32_t count_max, uint64_t bytes_max)
    : count_max_(count_max), bytes_max_(bytes_max), ring_(count_max) {
  RMQ_ASSERT(count_max_ > 0);
  RMQ_ASSERT(bytes_max_ > 0);
}

void Inflights::Add(Index index, uint64_t bytes) {
  RMQ_ASSERT(!Full());
  if (count_ > 0) {
    const Slot& newest = ring_[(start_ + count_ - 1) % count_max_];
    RMQ_ASSERT(newest.index < index);
  }
  ring_[(start_ + count_) % count_max_] = Slot{index, bytes};
  ++count_;
  bytes_ += bytes;
}

void Inflights::FreeLE(Index index) {
  while (count_ > 0 && ring_[start_].index <= index) {
    RMQ_ASSERT(bytes_ >= ring_[start_].bytes);
    bytes_ -= ring_[start_].bytes;
    start_ = (start_ + 1) % count_max_;
    --count_;
  }
  RMQ_ASSERT(count_ > 0 || bytes_ == 0);
}

void Inflights::FreeFirstOne() {
  RMQ_ASSERT(count_ > 0);
  const uint32_t count_before = count_;
  FreeLE(ring_[start_].index);
  RMQ_ASSERT(count_ + 1 == count_before);
}

void Inflights::Reset() {
  start_ = 0;
  count_ = 0;
  bytes_ = 0;
}

bool Inflights::Full() const {
  if (count_ >= count_max_) return true;
  return count_ > 0 && bytes_ >= bytes_max_;
}

}  // namespace raftmq::raft
