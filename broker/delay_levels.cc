#include "broker/delay_levels.h"

#include <charconv>
#include <string>

namespace raftmq::broker {
namespace {

constexpr size_t kDelayLevelsMax = 64;

Result<int64_t> ParseDuration(std::string_view item) {
  int64_t unit_ms = 0;
  switch (item.back()) {
    case 's': unit_ms = 1000; break;
    case 'm': unit_ms = 60 * 1000; break;
    case 'h': unit_ms = 60 * 60 * 1000; break;
    case 'd': unit_ms = 24 * 60 * 60 * 1000; break;
    default: return Status::InvalidArgument("delay level '" + std::string(item) + "' needs a unit s, m, h or d");
  }
  std::string_view digits = item.substr(0, item.size() - 1);
  int64_t count = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() || count <= 0 ||
      count > 365) {
    return Status::InvalidArgument("delay level '" + std::string(item) + "' is not a positive count of its unit");
  }
  return count * unit_ms;
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
