// PopStateManager: the replicated state of pop consumption (RocketMQ 5 SimpleConsumer,
// broker/v2/pop_service.h), per (group, topic, queue id): the pop offset (the next message
// not yet delivered) and the messages in flight, each with its deadline, delivery attempt and
// epoch (the Raft index of the command that last delivered it or moved its deadline, which a
// receipt handle names). Every offset below the pop offset that is not in flight is
// acknowledged. Stored in the MetaStore's `pop_states` family as a PopQueueState
// (proto/broker_command.proto), changed only through applied PopCommand / PopHandleCommand
// entries, in the command's batch (exactly once, see BrokerStateMachine).
//
// Pop state is separate from the committed consume offsets (ConsumerOffsetManager): a group
// that pops a queue and also pulls it by offset consumes it twice, each way on its own.
//
// Apply is total and reads nothing but the command and the stored state: deadlines come in
// the command (the leader's clock when it proposed). A command whose expectations no longer
// hold (another pop came first, a handle was acknowledged or redelivered meanwhile) changes
// nothing and answers FAILED_PRECONDITION (pop) or NOT_FOUND (ack, change); one that cannot
// be stored (bad names, offsets out of order) answers INVALID_ARGUMENT and is skipped.
//
// Threading: Apply* on the apply thread; Load from any thread (MetaStore is safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <grpcpp/support/status.h>

#include "common/log_ids.h"
#include "common/result.h"
#include "proto/broker_command.pb.h"
#include "storage/meta_store.h"

namespace raftmq::broker {

class PopStateManager {
 public:
  explicit PopStateManager(storage::MetaStore* store);

  // nullopt when the group never popped the queue.
  Result<std::optional<PopQueueState>> Load(const std::string& group, const std::string& topic,
                                            int32_t queue_id) const;

  // Apply thread. `index` is the command's Raft index: the epoch of what it delivers.
  Result<grpc::Status> ApplyPop(const PopCommand& command, Index index, storage::MetaWriteBatch* batch) const;
  Result<grpc::Status> ApplyAck(const PopHandleCommand& command, storage::MetaWriteBatch* batch) const;
  Result<grpc::Status> ApplyChangeInvisible(const PopHandleCommand& command, Index index,
                                            storage::MetaWriteBatch* batch) const;

 private:
  // The state of the queue a command (PopCommand, PopHandleCommand) names into `state`
  // (empty, pop offset -1, when none); INVALID_ARGUMENT when the names are not storable.
  template <typename Command>
  Result<grpc::Status> LoadFor(const Command& command, PopQueueState* state) const;
  template <typename Command>
  Status Store(const Command& command, const PopQueueState& state, storage::MetaWriteBatch* batch) const;

  storage::MetaStore* const store_;
};

}  // namespace raftmq::broker
