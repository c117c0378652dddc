// Ports for tests that run real servers on loopback.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace raftmq::test_support {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). The
// kernel hands out ephemeral ports round-robin, so a reuse before the caller binds is rare;
// prefer a server's own "listening on" line with port 0 where the server prints it.
Result<uint16_t> PickFreePort();

// Waits until a TCP connect to host:port succeeds (retrying every few ms); Unavailable with
// the last error on timeout. For servers that print no ready line.
Status WaitForTcpPort(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

}  // namespace raftmq::test_support
