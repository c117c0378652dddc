// Waiting for a server's port (ReserveLoopbackPort in common/loopback_port.h picks one).
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace raftmq::test_support {

// Waits until a TCP connect to host:port succeeds (retrying every few ms); Unavailable with
// the last error on timeout. For servers that print no ready line.
Status WaitForTcpPort(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

}  // namespace raftmq::test_support
