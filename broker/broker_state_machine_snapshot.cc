// BrokerStateMachine's snapshots: SaveSnapshot, RestoreSnapshot and the end of a restore
// (see broker_state_machine.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <vector>
#include <string>

#include "broker/broker_snapshot_files.h"
#include "broker/broker_state_machine.h"
#include "broker/names.h"
#include "storage/consume_queue_store.h"

namespace raftmq::broker {
namespace {

Status Unrestorable(const std::string& path, const std::string& what) {
  return Status::Corruption("broker snapshot: " + path + ": " + what);
}

// What the MetaStore and the ConsumeQueues would refuse, checked before anything changes.
Status CheckRestorable(const BrokerSnapshot& state, const std::string& path) {
  for (const admin::TopicConfig& topic : state.topics()) {
    grpc::Status content = TopicConfigManager::CheckContent(topic);
    if (!content.ok()) return Unrestorable(path, content.error_message());
  }
  for (const SnapshotConsumerOffset& offset : state.consumer_offsets()) {
    grpc::Status names = CheckName("consumer group", offset.consumer_group());
    if (names.ok()) names = CheckName("topic", offset.topic());
    if (!names.ok()) return Unrestorable(path, names.error_message());
    if (offset.offset() > static_cast<uint64_t>(INT64_MAX)) {
      return Unrestorable(path, "offset " + std::to_string(offset.offset()) + " of group " + offset.consumer_group() +
                                    " is beyond INT64_MAX");
    }
  }
  for (const SnapshotQueue& queue : state.queues()) {
    Status name = storage::CheckTopicName(queue.topic());
    if (!name.ok()) return Unrestorable(path, name.ToString());
  }
  for (const SnapshotPopState& pop : state.pop_states()) {
    grpc::Status names = CheckName("consumer group", pop.consumer_group());
    if (names.ok()) names = CheckName("topic", pop.topic());
    if (!names.ok()) return Unrestorable(path, names.error_message());
  }
  return Status::Ok();
}

// The restored state, replacing every row of the broker's families, marked as restoring.
Result<storage::MetaWriteBatch> RestoreBatch(const storage::MetaStore& meta, const BrokerSnapshot& state) {
  RMQ_ASSIGN_OR_RETURN(storage::MetaWriteBatch batch, meta.NewBatchReplacingBrokerState());
  for (const admin::TopicConfig& topic : state.topics()) {
    RMQ_RETURN_IF_ERROR(batch.PutTopic(topic.name(), topic.SerializeAsString()));
  }
  for (const SnapshotConsumerOffset& offset : state.consumer_offsets()) {
    RMQ_RETURN_IF_ERROR(batch.PutConsumerOffset({offset.consumer_group(), offset.topic(), offset.queue_id()},
                                                offset.offset()));
  }
  for (const SnapshotQueue& queue : state.queues()) {
    RMQ_RETURN_IF_ERROR(batch.PutQueueSize(storage::QueueSize{queue.topic(), queue.queue_id(), queue.max_offset()}));
  }
  for (const SnapshotPopState& pop : state.pop_states()) {
    RMQ_RETURN_IF_ERROR(batch.PutPopState({pop.consumer_group(), pop.topic(), pop.queue_id()}, pop.state()));
  }
  const Index index(state.applied_index());
  RMQ_RETURN_IF_ERROR(batch.PutDispatchCheckpoint(index));
  RMQ_RETURN_IF_ERROR(batch.PutCommandApplied(std::max(index, Index(state.commands_applied_index()))));
  // The reset log starts after the snapshot: nothing before it is this node's to keep.
  RMQ_RETURN_IF_ERROR(batch.PutRetainedFrom(index + 1));
  RMQ_RETURN_IF_ERROR(batch.PutRestoring(index));
  return batch;
}

}  // namespace

// On the apply thread, between two Apply calls: the MetaStore and the queues hold exactly
// the effects of the entries up to applied_index().
Result<Index> BrokerStateMachine::SaveSnapshot(const std::filesystem::path& dir) {
  const Index applied = applied_index();
  RMQ_RETURN_IF_ERROR(WriteState(dir.string(), {applied, applied_term()}, applied, dispatcher_->QueueSizes()));
  RMQ_ASSERT(applied_index() == applied);
  return applied;
}

// The MetaStore's topics, offsets and pop states as they stand (commands up to
// `commands_applied` are in), with `queues` as of `at`.
Status BrokerStateMachine::WriteState(const std::string& dir, const storage::SnapshotMeta& at, Index commands_applied,
                                      const std::vector<storage::QueueSize>& queues) {
  RMQ_ASSERT(commands_applied >= at.index);
  BrokerSnapshot state;
  state.set_format_version(kBrokerSnapshotFormatVersion);
  state.set_applied_index(at.index.value());
  state.set_applied_term(at.term.value());
  state.set_commands_applied_index(commands_applied.value());
  for (admin::TopicConfig& topic : topics_->List()) *state.add_topics() = std::move(topic);
  RMQ_ASSIGN_OR_RETURN(auto offsets, meta_->ListAllConsumerOffsets());
  for (const auto& [key, offset] : offsets) {
    SnapshotConsumerOffset* saved = state.add_consumer_offsets();
    saved->set_consumer_group(key.group);
    saved->set_topic(key.topic);
    saved->set_queue_id(key.queue_id);
    saved->set_offset(offset);
  }
  RMQ_ASSIGN_OR_RETURN(auto pop_states, meta_->ListAllPopStates());
  for (auto& [key, bytes] : pop_states) {
    SnapshotPopState* saved = state.add_pop_states();
    saved->set_consumer_group(key.group);
    saved->set_topic(key.topic);
    saved->set_queue_id(key.queue_id);
    saved->set_state(std::move(bytes));
  }
  for (const storage::QueueSize& size : queues) {
    SnapshotQueue* queue = state.add_queues();
    queue->set_topic(size.topic);
    queue->set_queue_id(size.queue_id);
    queue->set_max_offset(size.max_offset);
  }
  RMQ_RETURN_IF_ERROR(WriteBrokerSnapshot(fs_, dir, state).WithContext("saving a broker snapshot"));
  spdlog::info("broker state machine: saved the snapshot at index {} (term {}, commands to {}) to {}: {} topics, {} "
               "consumer offsets, {} pop states, {} queues", at.index.value(), at.term.value(),
               commands_applied.value(), dir, state.topics_size(), state.consumer_offsets_size(),
               state.pop_states_size(), state.queues_size());
  return Status::Ok();
}

Status BrokerStateMachine::RestoreSnapshot(const std::filesystem::path& dir, const storage::SnapshotMeta& snapshot) {
  RMQ_ASSIGN_OR_RETURN(BrokerSnapshot state, ReadBrokerSnapshot(fs_, dir.string()));
  const std::string state_path = dir.string() + "/" + std::string(kBrokerSnapshotStateFileName);
  RMQ_RETURN_IF_ERROR(CheckRestorable(state, state_path));
  if (Index(state.applied_index()) != snapshot.index || Term(state.applied_term()) != snapshot.term) {
    return Status::InvalidArgument("broker snapshot: " + state_path + " is at index " +
                                   std::to_string(state.applied_index()) + " (term " +
                                   std::to_string(state.applied_term()) + "), not at the snapshot's index " +
                                   std::to_string(snapshot.index.value()) + " (term " +
                                   std::to_string(snapshot.term.value()) + ")");
  }
  if (log_->FirstIndex() != snapshot.index + 1) {
    return Status::InvalidArgument("broker snapshot: the CommitLog must be reset to the snapshot at index " +
                                   std::to_string(snapshot.index.value()) + " first; it starts at entry " +
                                   std::to_string(log_->FirstIndex().value()));
  }
  // A checkpoint still in flight describes the old state: it must land before the batch.
  RMQ_RETURN_IF_ERROR(dispatcher_->WaitForCheckpoint());
  RMQ_ASSIGN_OR_RETURN(storage::MetaWriteBatch batch, RestoreBatch(*meta_, state));
  RMQ_RETURN_IF_ERROR(meta_->Write(std::move(batch), storage::Durability::kSync));
  RMQ_RETURN_IF_ERROR(FinishRestore(snapshot.index));
  RMQ_RETURN_IF_ERROR(Recover(snapshot.index));
  RMQ_ASSERT(applied_index() == snapshot.index);
  RMQ_ASSERT(applied_term() == snapshot.term);
  spdlog::info("broker state machine: restored the snapshot at index {} (term {}) from {}: {} topics, {} consumer "
               "offsets, {} pop states, {} queues", snapshot.index.value(), snapshot.term.value(), dir.string(),
               state.topics_size(), state.consumer_offsets_size(), state.pop_states_size(), state.queues_size());
  return Status::Ok();
}

// The MetaStore holds the whole restored state: the queues are made to match it, then the
// marker goes (buffered: were it lost, every later write would be too, and redoing this is
// what the state then needs).
Status BrokerStateMachine::FinishRestore(Index snapshot_index) {
  RMQ_RETURN_IF_ERROR(dispatcher_->ResetQueuesToCheckpoint().WithContext(
      "restoring the snapshot at index " + std::to_string(snapshot_index.value())));
  storage::MetaWriteBatch done = meta_->NewBatch();
  RMQ_RETURN_IF_ERROR(done.DeleteRestoring());
  return meta_->Write(std::move(done));
}

}  // namespace raftmq::broker
