#include "broker/delay_levels.h"

#include <charconv>
#include <string>

namespace raftmq::broker {
namespace {

constexpr size_t kDelayLevelsMax = 64;

constexpr int64_t kDelayMsMax = 365LL * 24 * 60 * 60 * 1000;

Result<int64_t> ParseDuration(std::string_view item) {
  struct Unit {
    std::string_view suffix;
    int64_t ms;
  };
  // "ms" before "s" and "m": the longest suffix wins.
  constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  const Unit* unit = nullptr;
  for (const Unit& candidate : kUnits) {
    if (item.ends_with(candidate.suffix)) {
      unit = &candidate;
      break;
    }
  }
  if (unit == nullptr) {
    return Status::InvalidArgument("delay level '" + std::string(item) + "' needs a unit ms, s, m, h or d");
  }
  std::string_view digits = item.substr(0, item.size() - unit->suffix.size());
  int64_t count = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || count <= 0 ||
      count > kDelayMsMax / unit->ms) {
    return Status::InvalidArgument("delay level '" + std::string(item) + "' is not a positive count of its unit");
  }
  return count * unit->ms;
}

}  // namespace

Result<std::vector<int64_t>> ParseDelayLevels(std::string_view text) {
  std::vector<int64_t> levels;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find(' ', position);
    if (end == std::string_view::npos) end = text.size();
    if (end > position) {
      if (levels.size() == kDelayLevelsMax) return Status::InvalidArgument("more than 64 delay levels");
      RMQ_ASSIGN_OR_RETURN(int64_t delay_ms, ParseDuration(text.substr(position, end - position)));
      levels.push_back(delay_ms);
    }
    position = end + 1;
  }
  if (levels.empty()) return Status::InvalidArgument("message_delay_level lists no delay");
  return levels;
}

}  // namespace raftmq::broker
