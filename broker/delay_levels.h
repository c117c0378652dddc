// RocketMQ's delay levels: "1s 5s 10s 30s 1m ... 2h", level N (1-based) waiting the N-th
// duration. A message sent back for the k-th time waits level 3 + k unless the consumer asks
// for another, capped at the last level.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace raftmq::broker {

// Durations in ms, level 1 first. InvalidArgument on an empty list or a bad item (a number
// followed by one of ms, s, m, h, d).
Result<std::vector<int64_t>> ParseDelayLevels(std::string_view text);

}  // namespace raftmq::broker
