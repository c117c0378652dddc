// "host:port" addresses as the config and the wire carry them: a DNS name or IPv4 address, or
// a bracketed IPv6 address ("[::1]:9876"), then a decimal port. Shared by config validators
// and request validation so both accept exactly the same addresses.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace raftmq {

struct HostPort {
  std::string host;  // without brackets
  uint16_t port = 0;
};

// InvalidArgument with the reason ("missing ':port'", "port 70000 out of range") on bad input.
// Port 0 is accepted (a listener's "any free port"); callers that need a real port check it.
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace raftmq
