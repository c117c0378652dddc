#include "broker/pop_state_manager.h"

#include <algorithm>
#include <set>

#include "broker/invalid_argument.h"
#include "broker/names.h"
#include "common/assert.h"

namespace raftmq::broker {
namespace {

grpc::Status CheckQueue(const std::string& group, const std::string& topic, int32_t queue_id) {
  grpc::Status status = CheckName("consumer group", group);
  if (status.ok()) status = CheckName("topic", topic);
  if (status.ok() && queue_id < 0) status = InvalidArgument("queue id " + std::to_string(queue_id) + " is negative");
  return status;
}

// The in-flight entry `handle` names, or nullptr when it is not current.
PopInFlight* FindCurrent(PopQueueState* state, const PopHandle& handle) {
  for (PopInFlight& entry : *state->mutable_in_flight()) {
    if (entry.offset() == handle.offset() && entry.epoch() == handle.epoch()) return &entry;
  }
  return nullptr;
}

void RemoveEntry(PopQueueState* state, int64_t offset) {
  auto* entries = state->mutable_in_flight();
  auto it = std::find_if(entries->begin(), entries->end(),
                         [offset](const PopInFlight& entry) { return entry.offset() == offset; });
  RMQ_ASSERT(it != entries->end());
  entries->erase(it);
}

// The command's new offsets ascend within [max(expected, 0), next_pop_offset).
grpc::Status CheckOffsets(const PopCommand& command) {
  int64_t previous = std::max<int64_t>(command.expected_pop_offset(), 0) - 1;
  for (int64_t offset : command.offsets()) {
    if (offset <= previous) return InvalidArgument("pop offsets do not ascend from the expected pop offset");
    previous = offset;
  }
  if (command.next_pop_offset() <= previous || command.next_pop_offset() < command.expected_pop_offset()) {
    return InvalidArgument("next pop offset " + std::to_string(command.next_pop_offset()) + " is behind the pop");
  }
  return grpc::Status::OK;
}

}  // namespace

PopStateManager::PopStateManager(storage::MetaStore* store) : store_(store) { RMQ_ASSERT(store_ != nullptr); }

Result<std::optional<PopQueueState>> PopStateManager::Load(const std::string& group, const std::string& topic,
                                                           int32_t queue_id) const {
  RMQ_ASSERT(queue_id >= 0);
  auto bytes = store_->LoadPopState({group, topic, static_cast<uint32_t>(queue_id)});
  if (bytes.status().IsNotFound()) return std::optional<PopQueueState>();
  if (!bytes.ok()) return bytes.status();
  PopQueueState state;
  if (!state.ParseFromString(*bytes)) {
    return Status::Corruption("pop state of " + group + " on " + topic + "/" + std::to_string(queue_id) +
                              " does not parse");
  }
  return std::optional<PopQueueState>(std::move(state));
}

template <typename Command>
Result<grpc::Status> PopStateManager::LoadFor(const Command& command, PopQueueState* state) const {
  grpc::Status checked = CheckQueue(command.consumer_group(), command.topic(), command.queue_id());
  if (!checked.ok()) return checked;
  RMQ_ASSIGN_OR_RETURN(std::optional<PopQueueState> stored,
                       Load(command.consumer_group(), command.topic(), command.queue_id()));
  if (stored) {
    *state = std::move(*stored);
  } else {
    state->set_pop_offset(-1);
  }
  return grpc::Status::OK;
}

template <typename Command>
Status PopStateManager::Store(const Command& command, const PopQueueState& state, storage::MetaWriteBatch* batch) const {
  RMQ_ASSERT(state.pop_offset() >= 0);
  RMQ_ASSERT(command.queue_id() >= 0);  // LoadFor checked it
  return batch->PutPopState({command.consumer_group(), command.topic(), static_cast<uint32_t>(command.queue_id())},
                            state.SerializeAsString());
}

Result<grpc::Status> PopStateManager::ApplyPop(const PopCommand& command, Index index,
                                               storage::MetaWriteBatch* batch) const {
  RMQ_ASSERT(batch != nullptr);
  PopQueueState state;
  RMQ_ASSIGN_OR_RETURN(grpc::Status loaded, LoadFor(command, &state));
  if (!loaded.ok()) return loaded;
  if (grpc::Status offsets = CheckOffsets(command); !offsets.ok()) return offsets;
  if (state.pop_offset() != command.expected_pop_offset()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "another receive moved the pop offset first");
  }
  std::set<int64_t> named;
  for (const auto* handles : {&command.redeliver(), &command.remove()}) {
    for (const PopHandle& handle : *handles) {
      if (!named.insert(handle.offset()).second) return InvalidArgument("a pop names one offset twice");
      if (FindCurrent(&state, handle) == nullptr) {
        return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "an expired message was acknowledged meanwhile");
      }
    }
  }
  for (const PopHandle& handle : command.remove()) RemoveEntry(&state, handle.offset());
  for (const PopHandle& handle : command.redeliver()) {
    PopInFlight* entry = FindCurrent(&state, handle);
    RMQ_ASSERT(entry != nullptr);  // checked above, each offset once
    entry->set_epoch(static_cast<int64_t>(index.value()));
    entry->set_deadline_ms(command.deadline_ms());
    entry->set_attempt(entry->attempt() + 1);
  }
  for (int64_t offset : command.offsets()) {
    PopInFlight* entry = state.add_in_flight();
    entry->set_offset(offset);
    entry->set_epoch(static_cast<int64_t>(index.value()));
    entry->set_deadline_ms(command.deadline_ms());
    entry->set_attempt(1);
  }
  state.set_pop_offset(command.next_pop_offset());
  RMQ_RETURN_IF_ERROR(Store(command, state, batch));
  return grpc::Status::OK;
}

Result<grpc::Status> PopStateManager::ApplyAck(const PopHandleCommand& command, storage::MetaWriteBatch* batch) const {
  RMQ_ASSERT(batch != nullptr);
  PopQueueState state;
  RMQ_ASSIGN_OR_RETURN(grpc::Status loaded, LoadFor(command, &state));
  if (!loaded.ok()) return loaded;
  if (FindCurrent(&state, command.handle()) == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "the receipt handle is not current (acknowledged or redelivered)");
  }
  RemoveEntry(&state, command.handle().offset());
  RMQ_RETURN_IF_ERROR(Store(command, state, batch));
  return grpc::Status::OK;
}

Result<grpc::Status> PopStateManager::ApplyChangeInvisible(const PopHandleCommand& command, Index index,
                                                           storage::MetaWriteBatch* batch) const {
  RMQ_ASSERT(batch != nullptr);
  PopQueueState state;
  RMQ_ASSIGN_OR_RETURN(grpc::Status loaded, LoadFor(command, &state));
  if (!loaded.ok()) return loaded;
  PopInFlight* entry = FindCurrent(&state, command.handle());
  if (entry == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "the receipt handle is not current (acknowledged or redelivered)");
  }
  entry->set_epoch(static_cast<int64_t>(index.value()));
  entry->set_deadline_ms(command.deadline_ms());
  RMQ_RETURN_IF_ERROR(Store(command, state, batch));
  return grpc::Status::OK;
}

}  // namespace raftmq::broker
