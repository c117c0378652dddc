#include "broker/v2/receive_call.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <google/protobuf/util/time_util.h>

#include "broker/entry_kind.h"
#include "broker/send_validator.h"
#include "broker/v2/message_mapping.h"
#include "broker/v2/pop_service.h"
#include "broker/v2/receipt_handle.h"
#include "common/assert.h"

namespace raftmq::broker::v2 {
namespace {

using google::protobuf::util::TimeUtil;

}  // namespace

ReceiveCall::ReceiveCall(PopService* service, grpc::CallbackServerContext* call,
                         const pb::ReceiveMessageRequest* request, std::optional<pb::Status> refused)
    : service_(service), call_(call), request_(request) {
  pb::Status checked = refused ? std::move(*refused) : Check();
  if (checked.code() != pb::OK) {
    Answer(std::move(checked));
    return;
  }
  queue_key_ = PopQueueKey(pop_.group, pop_.topic, pop_.queue_id);
  service_->Take(queue_key_, [this] { Attempt(); });
}

pb::Status ReceiveCall::Check() {
  const ServiceContext& context = service_->context();
  const BrokerOptions& options = *context.options;
  const pb::MessageQueue& queue = request_->message_queue();
  pb::Status checked = CheckGroupAndTopic(request_->group(), queue.topic());
  if (checked.code() != pb::OK) return checked;
  if (queue.id() < 0) return MakeStatus(pb::BAD_REQUEST, "message_queue.id is negative");
  if (request_->batch_size() <= 0) return MakeStatus(pb::BAD_REQUEST, "batch_size must be positive");
  const pb::FilterExpression& filter = request_->filter_expression();
  if (filter.type() == pb::SQL) return MakeStatus(pb::ILLEGAL_FILTER_EXPRESSION, "SQL92 filters are not supported");
  auto tags = TagFilter::Parse(filter.expression());
  if (!tags.ok()) return MakeStatus(pb::ILLEGAL_FILTER_EXPRESSION, std::string(tags.status().message()));
  checked = service_->CheckInvisibleDuration(
      request_->has_invisible_duration() ? &request_->invisible_duration() : nullptr,
      options.pop_invisible_duration_ms_min, &pop_.invisible_duration_ms);
  if (checked.code() != pb::OK) return checked;
  if (grpc::Status gate = service_->gate().Check(call_); !gate.ok()) return service_->Refusal(gate);
  auto topic = context.topics->Find(queue.topic().name());
  if (!topic) return MakeStatus(pb::TOPIC_NOT_FOUND, "topic '" + queue.topic().name() + "' does not exist");
  if (grpc::Status readable = CheckTopicReadable(*topic, queue.id()); !readable.ok()) return FromGrpc(readable);
  pop_.group = request_->group().name();
  pop_.topic = queue.topic().name();
  pop_.queue_id = queue.id();
  pop_.batch_max = std::min<uint32_t>(static_cast<uint32_t>(request_->batch_size()), options.pull_messages_max);
  pop_.filter = std::move(tags).value();
  int64_t poll_ms = options.long_polling_hold_ms_max;
  if (request_->has_long_polling_timeout()) {
    poll_ms = std::min(poll_ms, TimeUtil::DurationToMilliseconds(request_->long_polling_timeout()));
  }
  const auto client_left = call_->deadline() - std::chrono::system_clock::now();
  if (client_left < std::chrono::hours(24)) {
    const int64_t left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(client_left).count();
    poll_ms = std::min(poll_ms, left_ms - options.pop_long_polling_reserve_ms);
  }
  poll_deadline_ms_ = context.clock->SteadyNowMs() + std::max<int64_t>(poll_ms, 0);
  return OkStatus();
}

void ReceiveCall::Attempt() {
  const ServiceContext& context = service_->context();
  auto plan = service_->planner().Plan(pop_, context.clock->UnixNowMs());
  if (!plan.ok()) return Fail(MakeStatus(pb::INTERNAL_SERVER_ERROR, plan.status().ToString()));
  if (plan->Empty()) {
    service_->Give(queue_key_);
    return Wait(*plan);
  }
  auto shared = std::make_shared<PopPlan>(std::move(plan).value());
  if (!shared->dead.empty()) return StoreDeadLetters(std::move(shared));
  Propose(std::move(shared));
}

void ReceiveCall::StoreDeadLetters(std::shared_ptr<PopPlan> plan) {
  service_->StoreDeadLetters(call_, pop_.group, plan->dead, [this, plan](pb::Status stored) {
    if (stored.code() != pb::OK) return Fail(std::move(stored));
    Propose(plan);
  });
}

void ReceiveCall::Propose(std::shared_ptr<PopPlan> plan) {
  BrokerCommand command;
  *command.mutable_pop() = plan->command;
  service_->context().replicator->Propose(
      kBrokerCommandEntry, command.SerializeAsString(), [this, plan](Result<AppliedEntry> applied) {
        if (!applied.ok()) return Fail(service_->Refusal(service_->gate().FromProposeError(applied.status(), call_)));
        if (applied->status.error_code() == grpc::StatusCode::FAILED_PRECONDITION && ++conflicts_ < kConflictsMax) {
          service_->Give(queue_key_);
          return service_->Take(queue_key_, [this] { Attempt(); });
        }
        if (!applied->status.ok()) return Fail(FromGrpc(applied->status));
        if (plan->deliveries.empty()) {
          // Only progress (filtered messages passed over, dead letters taken out): go on.
          service_->Give(queue_key_);
          return service_->Take(queue_key_, [this] { Attempt(); });
        }
        Deliver(*plan, applied->pop_epoch);
      });
}

void ReceiveCall::Wait(const PopPlan& plan) {
  const Clock& clock = *service_->context().clock;
  const int64_t now_ms = clock.SteadyNowMs();
  if (now_ms >= poll_deadline_ms_) return Answer(MakeStatus(pb::MESSAGE_NOT_FOUND, "no message to receive"));
  int64_t deadline_ms = poll_deadline_ms_;
  if (plan.next_deadline_ms) {
    deadline_ms = std::min(deadline_ms, now_ms + std::max<int64_t>(*plan.next_deadline_ms - clock.UnixNowMs(), 0));
  }
  auto waker = [this](WakeReason reason) -> std::optional<uint64_t> {
    if (reason == WakeReason::kShutdown || reason == WakeReason::kLeadershipLost) {
      Answer(service_->Refusal(service_->gate().Refuse(call_, WakeRefusal(reason))));
    } else {
      service_->Take(queue_key_, [this] { Attempt(); });
    }
    return std::nullopt;
  };
  if (!service_->context().long_polling->Hold(pop_.topic, pop_.queue_id, plan.hold_offset, deadline_ms,
                                              std::move(waker), pop_.group)) {
    Answer(MakeStatus(pb::MESSAGE_NOT_FOUND, "no message to receive (long_polling_requests_max receives wait)"));
  }
}

void ReceiveCall::Deliver(const PopPlan& plan, int64_t epoch) {
  service_->Give(queue_key_);
  const ServiceContext& context = service_->context();
  responses_.resize(plan.deliveries.size() + 2);
  *responses_.front().mutable_status() = OkStatus();
  const auto invisible = TimeUtil::MillisecondsToDuration(pop_.invisible_duration_ms);
  for (size_t i = 0; i < plan.deliveries.size(); ++i) {
    const PopDelivery& delivery = plan.deliveries[i];
    pb::Message* message = responses_[i + 1].mutable_message();
    *message = ToV2Message(delivery.message, context.options->broker_group);
    pb::SystemProperties* system = message->mutable_system_properties();
    system->set_delivery_attempt(delivery.attempt);
    *system->mutable_invisible_duration() = invisible;
    system->set_receipt_handle(EncodeReceiptHandle(ReceiptHandle{pop_.topic, pop_.queue_id,
                                                                 delivery.message.queue_offset(), epoch,
                                                                 plan.command.deadline_ms()}));
  }
  *responses_.back().mutable_delivery_timestamp() = TimeUtil::MillisecondsToTimestamp(context.clock->UnixNowMs());
  StartWrite(&responses_[written_]);
}

void ReceiveCall::OnWriteDone(bool ok) {
  ++written_;
  if (!ok || written_ == responses_.size()) return Finish(grpc::Status::OK);
  StartWrite(&responses_[written_]);
}

void ReceiveCall::Fail(pb::Status status) {
  service_->Give(queue_key_);
  Answer(std::move(status));
}

void ReceiveCall::Answer(pb::Status status) {
  responses_.resize(1);
  *responses_.front().mutable_status() = std::move(status);
  written_ = 0;
  StartWriteAndFinish(&responses_.front(), grpc::WriteOptions(), grpc::Status::OK);
}

}  // namespace raftmq::broker::v2
