#include "broker/delay_scheduler.h"

#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "broker/delay_levels.h"
#include "broker/entry_kind.h"
#include "broker/names.h"
#include "common/assert.h"
#include "proto/broker_command.pb.h"
#include "storage/message_record.h"

namespace raftmq::broker {
namespace {

// A proposal not applied within this is abandoned for the round (leadership is likely lost).
constexpr auto kProposeWait = std::chrono::seconds(10);

// The message as it goes to its real topic; nullopt when its properties do not name a valid
// one (REAL_TOPIC a topic name, REAL_QID a queue id): such a message cannot be moved and is
// dropped, or its level would stall behind it for good.
std::optional<storage::Message> Released(storage::Message message, int64_t now_ms) {
  auto topic = message.properties.find(std::string(kPropertyRealTopic));
  auto queue = message.properties.find(std::string(kPropertyRealQueueId));
  if (topic == message.properties.end() || queue == message.properties.end()) return std::nullopt;
  if (!CheckName("topic", topic->second).ok()) return std::nullopt;
  uint32_t queue_id = 0;
  const std::string& digits = queue->second;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), queue_id);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  message.topic = topic->second;
  message.queue_id = queue_id;
  message.properties.erase(topic);
  message.properties.erase(std::string(kPropertyRealQueueId));
  message.properties.erase(std::string(kPropertyDelayLevel));
  message.store_timestamp_ms = now_ms;
  return message;
}

}  // namespace

DelayScheduler::DelayScheduler(const ServiceContext* context)
    : context_(context),
      delay_levels_ms_(ParseDelayLevels(context->options->message_delay_level).value()),
      worker_([this] { return Round(); }) {
  RMQ_ASSERT(context_->replicator != nullptr);
  RMQ_ASSERT(!delay_levels_ms_.empty());
}

DelayScheduler::~DelayScheduler() { Stop(); }

void DelayScheduler::Start() { worker_.Start(); }

void DelayScheduler::Stop() { worker_.Stop(); }

std::optional<std::chrono::milliseconds> DelayScheduler::Round() {
  auto moved = RunOnce(context_->clock->UnixNowMs());
  if (!moved.ok()) spdlog::warn("delay scheduler: {}", moved.status().ToString());
  return std::chrono::milliseconds(context_->options->schedule_interval_ms);
}

Result<size_t> DelayScheduler::RunOnce(int64_t now_ms) {
  ReplicaStatus status = context_->replicator->GetStatus();
  if (status.role != ReplicaRole::kLeader || context_->machine->applied_term() < status.term) return size_t{0};
  size_t moved = 0;
  for (uint32_t level = 1; level <= delay_levels_ms_.size(); ++level) {
    RMQ_ASSIGN_OR_RETURN(size_t count, MoveLevel(level, now_ms));
    moved += count;
  }
  return moved;
}

Result<size_t> DelayScheduler::MoveLevel(uint32_t level, int64_t now_ms) {
  const std::string topic(kScheduleTopic);
  const std::string group(kScheduleGroup);
  const storage::ConsumeQueue* queue = context_->queues->Find(topic, level - 1);
  if (queue == nullptr) return size_t{0};
  RMQ_ASSIGN_OR_RETURN(auto progress, context_->offsets->Query(group, topic, static_cast<int32_t>(level - 1)));
  const uint64_t from = std::max<uint64_t>(progress.value_or(0), queue->MinOffset());
  if (from >= queue->MaxOffset()) return size_t{0};
  RMQ_ASSIGN_OR_RETURN(auto entries, queue->Read(from, context_->options->schedule_messages_max));
  std::vector<storage::Message> due;
  size_t count = 0;  // entries passed, moved or dropped
  for (const storage::ConsumeQueueEntry& entry : entries) {
    RMQ_ASSIGN_OR_RETURN(std::string bytes, context_->log->ReadAt(entry.commit_log_position, entry.size));
    RMQ_ASSIGN_OR_RETURN(storage::Message message, storage::DecodeMessageRecord(bytes, 0));
    if (message.store_timestamp_ms + delay_levels_ms_[level - 1] > now_ms) break;  // later ones are younger
    const std::string id = message.message_id;
    auto released = Released(std::move(message), now_ms);
    if (released) {
      due.push_back(std::move(*released));
    } else {
      spdlog::warn("delay scheduler: dropping message {} at {}/{} offset {}: no valid REAL_TOPIC and REAL_QID", id,
                   topic, level - 1, from + count);
    }
    ++count;
  }
  if (count == 0) return size_t{0};
  const size_t moved = due.size();
  RMQ_RETURN_IF_ERROR(MoveMessages(std::move(due)));
  BrokerCommand command;
  OffsetCommit* commit = command.mutable_commit_offsets()->add_commits();
  commit->set_consumer_group(group);
  commit->set_topic(topic);
  commit->set_queue_id(static_cast<int32_t>(level - 1));
  commit->set_offset(static_cast<int64_t>(from + count));
  RMQ_RETURN_IF_ERROR(ProposeAndWait(context_->replicator, kBrokerCommandEntry, command.SerializeAsString(), kProposeWait));
  return moved;
}

Status DelayScheduler::MoveMessages(std::vector<storage::Message> due) {
  // One entry per run of messages bound for the same queue (an entry targets one queue).
  size_t first = 0;
  while (first < due.size()) {
    size_t end = first + 1;
    while (end < due.size() && due[end].topic == due[first].topic && due[end].queue_id == due[first].queue_id) ++end;
    RMQ_ASSIGN_OR_RETURN(std::string payload,
                         storage::EncodeMessageBatch(std::span(due).subspan(first, end - first)));
    RMQ_RETURN_IF_ERROR(ProposeAndWait(context_->replicator, kMessageBatchEntry, std::move(payload), kProposeWait));
    first = end;
  }
  return Status::Ok();
}

}  // namespace raftmq::broker
