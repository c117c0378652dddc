// BrokerStateMachine's snapshots (raft::StateMachine::SaveSnapshot / RestoreSnapshot). Built by
// the snapshot-broker work (issue 12); until then both refuse, and no Node sends a snapshot
// (raft::Node gives its Core no SnapshotReader).
#include "broker/broker_state_machine.h"

namespace raftmq::broker {

Result<Index> BrokerStateMachine::SaveSnapshot(const std::filesystem::path& /*dir*/) {
  return Status::NotSupported("broker state machine: SaveSnapshot: not built yet");
}

Status BrokerStateMachine::RestoreSnapshot(const std::filesystem::path& /*dir*/,
                                           const storage::SnapshotMeta& /*snapshot*/) {
  return Status::NotSupported("broker state machine: RestoreSnapshot: not built yet");
}

}  // namespace raftmq::broker
