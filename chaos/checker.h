// Checker: what the history says about the cluster's promises. Against the drain (every
// message a fresh group read from every queue after the final heal):
//   lost         acknowledged, never read                                    must be 0
//   misplaced    acknowledged at (group, queue, offset), but nothing of it there  must be 0
//   phantom      read, but never sent                                        must be 0
//   duplicated   stored more than once (a retried send: at-least-once allows it)
//   reordered    within a queue, a message acknowledged before another was sent sits at a
//                higher offset                                               must be 0
//   unknown      outcomes apart: how many were stored anyway, as were "failed" ones
// and per fault the unavailability: from the fault's start to the first acknowledgement of a
// send started after it, and the longest stretch without any acknowledgement from the start
// to the next fault.
//
// Threading: a pure function of its inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chaos/history.h"

namespace raftmq::chaos {

struct FaultAvailability {
  int64_t unavailable_ms = -1;   // start to first ack of a send started after it; -1: none
  int64_t longest_gap_ms = 0;
};

// Over the faults of a kind that left a connected majority; those that did not (unavailable
// by design until healed) are only counted, in without_majority. -1 when none is left.
struct KindAvailability {
  std::string kind;
  int count = 0;
  int without_majority = 0;
  int64_t median_unavailable_ms = -1;
  int64_t max_unavailable_ms = -1;
  int64_t max_gap_ms = -1;
};

struct CheckResult {
  uint64_t sent = 0, acknowledged = 0, failed = 0, unknown = 0;
  uint64_t drained = 0, lost = 0, misplaced = 0, phantom = 0, duplicated = 0, reordered = 0;
  uint64_t unknown_stored = 0, failed_stored = 0;
  uint64_t push_received = 0, push_redelivered = 0, push_missed = 0;
  int64_t longest_gap_ms = 0;                  // over the whole run
  std::vector<uint64_t> lost_ids;              // the first few, for the report
  std::vector<FaultAvailability> faults;       // one per History fault
  std::vector<KindAvailability> kinds;
  std::vector<std::string> violations;         // broken invariants, in words
};

CheckResult Check(const History& history);

}  // namespace raftmq::chaos
