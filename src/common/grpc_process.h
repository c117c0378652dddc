// Process-wide settings for the binaries that run gRPC (broker, nameserver, raftmq CLI).
//
// Thread-safety: call once, first thing in main(), before any thread starts.
#pragma once

namespace raftmq {

// Turns off Abseil's mutex deadlock detection, on by default in Debian's Abseil: it tracks
// every absl::Mutex gRPC takes in a lock graph, measured at 4-6% of the CPU of a broker and of
// a sending client (perf: GraphCycles::GetId, RemoveNode). Our own code uses std::mutex.
void TuneGrpcProcess();

}  // namespace raftmq
