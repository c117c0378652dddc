#include "broker/v2/pop_service.h"

#include <memory>
#include <utility>

#include <google/protobuf/util/time_util.h>

#include "broker/entry_kind.h"
#include "broker/names.h"
#include "broker/v2/receive_call.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

pb::Status InvalidHandle(const std::string& why) { return MakeStatus(pb::INVALID_RECEIPT_HANDLE, why); }

// What an ack keeps alive until every entry is answered.
struct AckJoin {
  std::mutex mutex;
  size_t remaining = 0;
  pb::AckMessageResponse* response = nullptr;
  grpc::ServerUnaryReactor* reactor = nullptr;

  // Entry `index` is answered; the last one answers the call: OK when every entry is, the
  // entry's own status for a single entry, MULTIPLE_RESULTS otherwise.
  void Answer(size_t index, pb::Status status) {
    std::lock_guard lock(mutex);
    *response->mutable_entries(static_cast<int>(index))->mutable_status() = std::move(status);
    RMQ_ASSERT(remaining > 0);
    if (--remaining > 0) return;
    bool all_ok = true;
    for (const auto& entry : response->entries()) all_ok = all_ok && entry.status().code() == pb::OK;
    if (all_ok) {
      *response->mutable_status() = OkStatus();
    } else if (response->entries_size() == 1) {
      *response->mutable_status() = response->entries(0).status();
    } else {
      *response->mutable_status() = MakeStatus(pb::MULTIPLE_RESULTS, "some entries were not acknowledged");
    }
    reactor->Finish(grpc::Status::OK);
  }
};

PopHandleCommand HandleCommand(const std::string& group, const ReceiptHandle& handle, int64_t deadline_ms) {
  PopHandleCommand command;
  command.set_consumer_group(group);
  command.set_topic(handle.topic);
  command.set_queue_id(handle.queue_id);
  command.mutable_handle()->set_offset(handle.offset);
  command.mutable_handle()->set_epoch(handle.epoch);
  command.set_deadline_ms(deadline_ms);
  return command;
}

}  // namespace

std::string PopQueueKey(const std::string& group, const std::string& topic, int32_t queue_id) {
  // Names hold no NUL (CheckName), so the key is unambiguous.
  return group + '\0' + topic + '\0' + std::to_string(queue_id);
}

pb::Status CheckGroupAndTopic(const pb::Resource& group, const pb::Resource& topic) {
  if (!group.resource_namespace().empty() || !topic.resource_namespace().empty()) {
    return MakeStatus(pb::UNSUPPORTED, "resource_namespace: namespaces are not supported");
  }
  if (grpc::Status status = CheckGroupName(group.name()); !status.ok()) {
    return MakeStatus(pb::ILLEGAL_CONSUMER_GROUP, "group.name: " + status.error_message());
  }
  if (grpc::Status status = CheckName("topic", topic.name()); !status.ok()) {
    return MakeStatus(pb::ILLEGAL_TOPIC, "topic.name: " + status.error_message());
  }
  return OkStatus();
}

PopService::PopService(const ServiceContext* context, const LeaderGate* gate, const TopicCreator* creator)
    : context_(context), gate_(gate), creator_(creator), planner_(context) {
  RMQ_ASSERT(gate_ != nullptr && creator_ != nullptr);
  RMQ_ASSERT(context_->long_polling != nullptr && context_->clock != nullptr);
}

grpc::ServerWriteReactor<pb::ReceiveMessageResponse>* PopService::Receive(grpc::CallbackServerContext* call,
                                                                         const pb::ReceiveMessageRequest* request,
                                                                         std::optional<pb::Status> refused) {
  return new ReceiveCall(this, call, request, std::move(refused));
}

void PopService::Take(const std::string& queue_key, std::function<void()> turn) {
  {
    std::lock_guard lock(mutex_);
    auto [it, taken] = turns_.try_emplace(queue_key);
    if (!taken) {
      it->second.push_back(std::move(turn));
      return;
    }
  }
  turn();
}

void PopService::Give(const std::string& queue_key) {
  std::function<void()> next;
  {
    std::lock_guard lock(mutex_);
    auto it = turns_.find(queue_key);
    RMQ_ASSERT(it != turns_.end());
    if (it->second.empty()) {
      turns_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  next();
}

pb::Status PopService::Refusal(const grpc::Status& status, pb::Code not_found) const {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return FromGrpc(status, not_found);
  const std::string leader = gate_->LeaderAddress();
  if (leader.empty()) return FromGrpc(status);
  return FromGrpc({status.error_code(), status.error_message() + "; the group's leader is " + leader});
}

pb::Status PopService::CheckInvisibleDuration(const google::protobuf::Duration* asked, int64_t* duration_ms) const {
  const BrokerOptions& options = *context_->options;
  if (asked == nullptr) {
    *duration_ms = options.pop_invisible_duration_ms_default;
    return OkStatus();
  }
  *duration_ms = TimeUtil::DurationToMilliseconds(*asked);
  if (*duration_ms < options.pop_invisible_duration_ms_min || *duration_ms > options.pop_invisible_duration_ms_max) {
    return MakeStatus(pb::ILLEGAL_INVISIBLE_TIME, "invisible_duration " + std::to_string(*duration_ms) +
                                                      " ms is outside [" +
                                                      std::to_string(options.pop_invisible_duration_ms_min) + ", " +
                                                      std::to_string(options.pop_invisible_duration_ms_max) + "] ms");
  }
  return OkStatus();
}

pb::Status PopService::CheckHandleRequest(grpc::CallbackServerContext* call, const pb::Resource& group,
                                          const pb::Resource& topic) const {
  pb::Status checked = CheckGroupAndTopic(group, topic);
  if (checked.code() != pb::OK) return checked;
  if (grpc::Status gate = gate_->Check(call); !gate.ok()) return Refusal(gate);
  if (!context_->topics->Find(topic.name())) {
    return MakeStatus(pb::TOPIC_NOT_FOUND, "topic '" + topic.name() + "' does not exist");
  }
  return OkStatus();
}

pb::Status PopService::CheckCurrent(const std::string& group, const std::string& topic, const std::string& text,
                                    ReceiptHandle* handle) const {
  std::optional<ReceiptHandle> decoded = DecodeReceiptHandle(text);
  if (!decoded) return InvalidHandle("receipt_handle does not parse");
  if (decoded->topic != topic) return InvalidHandle("receipt_handle names topic '" + decoded->topic + "'");
  auto state = context_->machine->pops().Load(group, topic, decoded->queue_id);
  if (!state.ok()) return MakeStatus(pb::INTERNAL_SERVER_ERROR, state.status().ToString());
  bool current = false;
  if (*state) {
    for (const PopInFlight& entry : (*state)->in_flight()) {
      current = current || (entry.offset() == decoded->offset && entry.epoch() == decoded->epoch);
    }
  }
  if (!current) return InvalidHandle("receipt_handle is not current (acknowledged, redelivered or changed since)");
  *handle = std::move(*decoded);
  return OkStatus();
}

void PopService::Ack(grpc::CallbackServerContext* call, const pb::AckMessageRequest* request,
                     pb::AckMessageResponse* response, grpc::ServerUnaryReactor* reactor) {
  pb::Status checked = CheckHandleRequest(call, request->group(), request->topic());
  if (checked.code() == pb::OK && (request->entries().empty() ||
                                   request->entries_size() > static_cast<int>(context_->options->pull_messages_max))) {
    checked = MakeStatus(pb::BAD_REQUEST, "an ack names 1 to pull_messages_max = " +
                                              std::to_string(context_->options->pull_messages_max) + " entries");
  }
  if (checked.code() != pb::OK) {
    *response->mutable_status() = std::move(checked);
    return reactor->Finish(grpc::Status::OK);
  }
  auto join = std::make_shared<AckJoin>();
  join->remaining = static_cast<size_t>(request->entries_size());
  join->response = response;
  join->reactor = reactor;
  for (const pb::AckMessageEntry& entry : request->entries()) {
    pb::AckMessageResultEntry* result = response->add_entries();
    result->set_message_id(entry.message_id());
    result->set_receipt_handle(entry.receipt_handle());
  }
  const std::string& group = request->group().name();
  for (int i = 0; i < request->entries_size(); ++i) {
    const auto index = static_cast<size_t>(i);
    ReceiptHandle handle;
    pb::Status current = CheckCurrent(group, request->topic().name(), request->entries(i).receipt_handle(), &handle);
    if (current.code() != pb::OK) {
      join->Answer(index, std::move(current));
      continue;
    }
    BrokerCommand command;
    *command.mutable_pop_ack() = HandleCommand(group, handle, 0);
    context_->replicator->Propose(kBrokerCommandEntry, command.SerializeAsString(),
                                  [this, call, join, index](Result<AppliedEntry> applied) {
                                    if (!applied.ok()) {
                                      const grpc::Status refused = gate_->FromProposeError(applied.status(), call);
                                      return join->Answer(index, Refusal(refused));
                                    }
                                    if (applied->status.error_code() == grpc::StatusCode::NOT_FOUND) {
                                      return join->Answer(index, InvalidHandle(applied->status.error_message()));
                                    }
                                    join->Answer(index, FromGrpc(applied->status));
                                  });
  }
}

void PopService::ChangeInvisible(grpc::CallbackServerContext* call, const pb::ChangeInvisibleDurationRequest* request,
                                 pb::ChangeInvisibleDurationResponse* response, grpc::ServerUnaryReactor* reactor) {
  int64_t duration_ms = 0;
  ReceiptHandle handle;
  pb::Status checked = CheckHandleRequest(call, request->group(), request->topic());
  if (checked.code() == pb::OK) checked = CheckInvisibleDuration(&request->invisible_duration(), &duration_ms);
  if (checked.code() == pb::OK) {
    checked = CheckCurrent(request->group().name(), request->topic().name(), request->receipt_handle(), &handle);
  }
  if (checked.code() != pb::OK) {
    *response->mutable_status() = std::move(checked);
    return reactor->Finish(grpc::Status::OK);
  }
  handle.deadline_ms = context_->clock->UnixNowMs() + duration_ms;
  BrokerCommand command;
  *command.mutable_pop_change_invisible() = HandleCommand(request->group().name(), handle, handle.deadline_ms);
  context_->replicator->Propose(
      kBrokerCommandEntry, command.SerializeAsString(),
      [this, call, response, reactor, handle](Result<AppliedEntry> applied) mutable {
        if (!applied.ok()) {
          *response->mutable_status() = Refusal(gate_->FromProposeError(applied.status(), call));
        } else if (applied->status.error_code() == grpc::StatusCode::NOT_FOUND) {
          *response->mutable_status() = InvalidHandle(applied->status.error_message());
        } else {
          *response->mutable_status() = FromGrpc(applied->status);
          handle.epoch = applied->pop_epoch;
          if (applied->status.ok()) response->set_receipt_handle(EncodeReceiptHandle(handle));
        }
        reactor->Finish(grpc::Status::OK);
      });
}

}  // namespace raftmq::broker::v2
