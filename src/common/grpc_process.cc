#include "common/grpc_process.h"

#include <absl/synchronization/mutex.h>

namespace raftmq {

void TuneGrpcProcess() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace raftmq
