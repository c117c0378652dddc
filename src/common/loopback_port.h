// Ports on 127.0.0.1 for the processes a test or the chaos harness starts.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <cstdint>

#include "common/result.h"

namespace raftmq {

// A TCP port on 127.0.0.1, reserved until this process exits: a socket stays bound to it with
// SO_REUSEADDR and never listens. Other processes' bind(0) and connect() skip a bound port, so
// a test running beside this one cannot be handed it while our server is still starting, and
// a server that sets SO_REUSEADDR (gRPC, civetweb and Prometheus all do) can still listen on it.
// Without the reservation two parallel tests could pick one port; gRPC's default SO_REUSEPORT
// would then let both listen and share connections silently (see ListenExclusively).
Result<uint16_t> ReserveLoopbackPort();

// Reserves a given port the same way; IoError if any socket, a reservation too, holds it.
Status ReserveLoopbackPort(uint16_t port);

}  // namespace raftmq
