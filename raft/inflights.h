// Inflights: the appends a leader sent to one follower and has not yet seen acknowledged,
// as a ring of (last index, payload bytes) bounded by count and by bytes (etcd's
// tracker/inflights.go). A follower in replicate state is paused while the window is full,
// so a slow follower costs the leader bounded memory and bandwidth.
//
// Invariants: indexes strictly increase from oldest to newest; count() <= count_max;
// bytes() is the sum of the entries' bytes.
//
// Threading: owned by one Core.
#pragma once

#include <cstdint>
#include <vector>

#include "common/log_ids.h"

namespace raftmq::raft {

class Inflights {
 public:
  Inflights(uint32_t count_max, uint64_t bytes_max);

  // Records an append whose last entry is `index`. Asserts !Full() and increasing indexes.
  void Add(Index index, uint64_t bytes);
  // Frees every append whose last index is <= `index` (the follower acknowledged it).
  void FreeLE(Index index);
  // Frees the oldest append; a heartbeat response suggests it was lost.
  void FreeFirstOne();
  void Reset();

  // Full by count, or by bytes (a single oversized append still fits an empty window).
  bool Full() const;
  uint32_t count() const { return count_; }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Slot {
    Index index;
    uint64_t bytes = 0;
  };

  uint32_t count_max_;
  uint64_t bytes_max_;
  std::vector<Slot> ring_;  // count_max_ slots; the window is [start_, start_ + count_)
  uint32_t start_ = 0;
  uint32_t count_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace raftmq::raft
