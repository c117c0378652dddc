#include "broker/retention_hours.h"

#include <algorithm>
#include <string>

namespace raftmq::broker {

Result<std::bitset<kHoursPerDay>> ParseRetentionDeleteWhen(std::string_view text) {
  std::bitset<kHoursPerDay> hours;
  const auto invalid = [text](std::string_view item, const char* why) {
    return Status::InvalidArgument("retention_delete_when '" + std::string(text) + "': item '" + std::string(item) +
                                   "' " + why + " (hours 0-23 separated by ';', e.g. \"04\" or \"01;13\")");
  };
  size_t start = 0;
  while (true) {
    const size_t end = std::min(text.find(';', start), text.size());
    const std::string_view item = text.substr(start, end - start);
    if (item.empty() || item.size() > 2) return invalid(item, "is not one or two digits");
    int hour = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return invalid(item, "is not one or two digits");
      hour = hour * 10 + (c - '0');
    }
    if (hour >= kHoursPerDay) return invalid(item, "is past 23");
    hours.set(static_cast<size_t>(hour));
    if (end == text.size()) break;
    start = end + 1;
  }
  return hours;
}

}  // namespace raftmq::broker
