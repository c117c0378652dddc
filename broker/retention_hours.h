// RocketMQ's deleteWhen: the hours of the local day in which retention deletes segments by age,
// "04" (04:00-04:59) or several separated by ';' ("01;13"). A disk above its watermark deletes
// at any hour (broker/retention_scheduler.h).
//
// Threading: pure functions.
#pragma once

#include <bitset>
#include <string_view>

#include "common/result.h"

namespace raftmq::broker {

inline constexpr int kHoursPerDay = 24;

// Bit h set: hour h (0-23) is a deletion hour. InvalidArgument naming the bad item for an
// empty list, an item that is not one or two digits, or an hour above 23.
Result<std::bitset<kHoursPerDay>> ParseRetentionDeleteWhen(std::string_view text);

}  // namespace raftmq::broker
