// Shutdown signals of the server processes. BlockShutdownSignals() must run first in main(),
// before any thread exists (gRPC's included), so every thread inherits the mask and only the
// main thread's WaitForShutdownSignal() receives SIGTERM/SIGINT: no async-signal-safety
// concerns anywhere else.
#pragma once

#include <csignal>

namespace raftmq {

sigset_t BlockShutdownSignals();
// Blocks until SIGTERM or SIGINT arrives; returns which.
int WaitForShutdownSignal(const sigset_t& signals);

}  // namespace raftmq
