// Validators for configuration keys: each returns OK or InvalidArgument with the reason only
// ("must be in [1, 65535]"); the loader prefixes the key's name, value and origin.
//
// Thread-safety: validators are pure functions and may be shared.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace raftmq::config {

template <typename T>
using Validator = std::function<Status(const T&)>;

namespace detail {
template <typename T>
std::string NumberText(T number) {
  if constexpr (std::is_floating_point_v<T>) {
    std::string text = std::to_string(number);
    text.erase(text.find_last_not_of('0') + 1);  // 0.500000 -> 0.5
    if (!text.empty() && text.back() == '.') text.push_back('0');
    return text;
  } else {
    return std::to_string(number);
  }
}
}  // namespace detail

// min <= value <= max.
template <typename T>
Validator<T> InRange(T min, T max) {
  return [min, max](const T& value) {
    if (value >= min && value <= max) return Status::Ok();
    return Status::InvalidArgument("must be in [" + detail::NumberText(min) + ", " + detail::NumberText(max) + "]");
  };
}

// value >= min (a lower bound only, e.g. a limit whose upper end is the machine's).
template <typename T>
Validator<T> AtLeast(T min) {
  return [min](const T& value) {
    if (value >= min) return Status::Ok();
    return Status::InvalidArgument("must be at least " + detail::NumberText(min));
  };
}

Validator<std::string> NonEmpty();
// "host:port" with a port in [0, 65535] (0: any free port), see common/host_port.h.
Validator<std::string> HostPort();
// A non-empty list of "host:port" entries.
Validator<std::vector<std::string>> HostPortList();
// One of the given words, e.g. OneOf({"async", "sync"}).
Validator<std::string> OneOf(std::vector<std::string> choices);

}  // namespace raftmq::config
