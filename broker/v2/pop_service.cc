#include "broker/v2/pop_service.h"

#include <memory>
#include <utility>

#include <google/protobuf/util/time_util.h>

#include "broker/entry_kind.h"
#include "broker/message_proposer.h"
#include "broker/names.h"
#include "broker/v2/receive_call.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

// As Apache's proxy: a change may make a message visible again at once (a push consumer's
// retry after a failure), unlike a receive (pop_invisible_duration_ms_min).
constexpr int64_t kChangeInvisibleDurationMsMin = 0;
// Dead-letter topics have one queue, as RocketMQ's DLQ_NUMS_PER_GROUP.
constexpr int32_t kDeadLetterQueueNums = 1;

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

pb::Status PopService::CheckInvisibleDuration(const google::protobuf::Duration* asked, int64_t min_ms,
                                              int64_t* duration_ms) const {
  const BrokerOptions& options = *context_->options;
  if (asked == nullptr) {
    *duration_ms = options.pop_invisible_duration_ms_default;
    return OkStatus();
  }
  *duration_ms = TimeUtil::DurationToMilliseconds(*asked);
  if (*duration_ms < min_ms || *duration_ms > options.pop_invisible_duration_ms_max) {
    return MakeStatus(pb::ILLEGAL_INVISIBLE_TIME, "invisible_duration " + std::to_string(*duration_ms) +
                                                      " ms is outside [" + std::to_string(min_ms) + ", " +
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
                                    ReceiptHandle* handle, int32_t* attempt) const {
  std::optional<ReceiptHandle> decoded = DecodeReceiptHandle(text);
  if (!decoded) return InvalidHandle("receipt_handle does not parse");
  if (decoded->topic != topic) return InvalidHandle("receipt_handle names topic '" + decoded->topic + "'");
  auto state = context_->machine->pops().Load(group, topic, decoded->queue_id);
  if (!state.ok()) return MakeStatus(pb::INTERNAL_SERVER_ERROR, state.status().ToString());
  const PopInFlight* current = nullptr;
  if (*state) {
    for (const PopInFlight& entry : (*state)->in_flight()) {
      if (entry.offset() == decoded->offset && entry.epoch() == decoded->epoch) current = &entry;
    }
  }
  if (current == nullptr) {
    return InvalidHandle("receipt_handle is not current (acknowledged, redelivered or changed since)");
  }
  if (attempt != nullptr) *attempt = current->attempt();
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
    ProposeAck(call, group, handle, [join, index](pb::Status status) { join->Answer(index, std::move(status)); });
  }
}

void PopService::ProposeAck(grpc::CallbackServerContext* call, const std::string& group, const ReceiptHandle& handle,
                            std::function<void(pb::Status)> done) const {
  BrokerCommand command;
  *command.mutable_pop_ack() = HandleCommand(group, handle, 0);
  context_->replicator->Propose(kBrokerCommandEntry, command.SerializeAsString(),
                                [this, call, done = std::move(done)](Result<AppliedEntry> applied) {
                                  if (!applied.ok()) return done(Refusal(gate_->FromProposeError(applied.status(), call)));
                                  if (applied->status.error_code() == grpc::StatusCode::NOT_FOUND) {
                                    return done(InvalidHandle(applied->status.error_message()));
                                  }
                                  done(FromGrpc(applied->status));
                                });
}

void PopService::ChangeInvisible(grpc::CallbackServerContext* call, const pb::ChangeInvisibleDurationRequest* request,
                                 pb::ChangeInvisibleDurationResponse* response, grpc::ServerUnaryReactor* reactor) {
  int64_t duration_ms = 0;
  ReceiptHandle handle;
  pb::Status checked = CheckHandleRequest(call, request->group(), request->topic());
  if (checked.code() == pb::OK) {
    checked = CheckInvisibleDuration(&request->invisible_duration(), kChangeInvisibleDurationMsMin, &duration_ms);
  }
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

void PopService::StoreDeadLetters(grpc::CallbackServerContext* call, const std::string& group,
                                  std::span<const storage::Message> dead, std::function<void(pb::Status)> done) const {
  RMQ_ASSERT(!dead.empty());
  creator_->Ensure(call, DlqTopic(group), /*create=*/true, kDeadLetterQueueNums,
                   [this, call, dead, done = std::move(done)](grpc::Status found, const admin::TopicConfig&) {
                     if (!found.ok()) return done(Refusal(found));
                     ProposeMessages(context_->replicator, dead,
                                     [this, call, done](Result<std::vector<int64_t>> offsets) {
                                       if (!offsets.ok()) {
                                         return done(Refusal(gate_->FromProposeError(offsets.status(), call)));
                                       }
                                       done(OkStatus());
                                     });
                   });
}

void PopService::ForwardToDeadLetter(grpc::CallbackServerContext* call,
                                     const pb::ForwardMessageToDeadLetterQueueRequest* request,
                                     pb::ForwardMessageToDeadLetterQueueResponse* response,
                                     grpc::ServerUnaryReactor* reactor) {
  pb::Status checked = CheckHandleRequest(call, request->group(), request->topic());
  std::optional<ReceiptHandle> decoded = DecodeReceiptHandle(request->receipt_handle());
  if (checked.code() == pb::OK && !decoded) checked = InvalidHandle("receipt_handle does not parse");
  if (checked.code() != pb::OK) {
    *response->mutable_status() = std::move(checked);
    return reactor->Finish(grpc::Status::OK);
  }
  // The handle is checked again with the turn held: a receive may have redelivered it.
  const std::string key = PopQueueKey(request->group().name(), request->topic().name(), decoded->queue_id);
  Take(key, [this, call, request, response, reactor, key] {
    ForwardWithTurn(call, request, [this, response, reactor, key](pb::Status status) {
      *response->mutable_status() = std::move(status);
      reactor->Finish(grpc::Status::OK);
      Give(key);
    });
  });
}

void PopService::ForwardWithTurn(grpc::CallbackServerContext* call,
                                 const pb::ForwardMessageToDeadLetterQueueRequest* request,
                                 std::function<void(pb::Status)> answer) const {
  const std::string& group = request->group().name();
  ReceiptHandle handle;
  int32_t attempt = 0;
  pb::Status current = CheckCurrent(group, request->topic().name(), request->receipt_handle(), &handle, &attempt);
  if (current.code() != pb::OK) return answer(std::move(current));
  auto message = planner_.ReadAt(handle.topic, handle.queue_id, handle.offset);
  if (!message.ok()) return answer(MakeStatus(pb::INTERNAL_SERVER_ERROR, message.status().ToString()));
  if (!*message) {
    // Retention took it: nothing to copy, and the next receive takes it out of flight.
    return answer(MakeStatus(pb::MESSAGE_NOT_FOUND, "the queue no longer holds the message"));
  }
  auto dead = std::make_shared<std::vector<storage::Message>>();
  dead->push_back(DeadLetterCopy(**message, group, attempt, context_->clock->UnixNowMs()));
  StoreDeadLetters(call, group, *dead, [this, call, group, handle, dead, answer](pb::Status stored) {
    if (stored.code() != pb::OK) return answer(std::move(stored));
    ProposeAck(call, group, handle, answer);
  });
}

}  // namespace raftmq::broker::v2
