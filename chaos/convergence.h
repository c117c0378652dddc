// Convergence: after the final heal and once writes stopped, every node of each group must
// catch up (the same commit index, applied up to it) within settle_ms_max, and then hold the
// same committed log (LogDigest CRC over [first, commit]) and the same ConsumeQueue ranges.
//
// Threading: one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chaos/node_probe.h"
#include "chaos/run_clock.h"

namespace raftmq::chaos {

struct NodeDigest {
  std::string name;
  uint64_t commit_index = 0, applied_index = 0, first_index = 0, digest_index = 0;
  uint32_t crc = 0;
  std::string error;   // why it did not answer
};

struct ConvergenceResult {
  std::vector<NodeDigest> nodes;
  int64_t converged_after_ms = -1;     // -1: did not within the limit
  std::vector<std::string> violations;
};

ConvergenceResult CheckConvergence(const NodeProbe& probe, int groups, const RunClock& clock, int64_t settle_ms_max);

}  // namespace raftmq::chaos
