// PopPlanner: what one receive of a RocketMQ 5 simple consumer proposes, decided on the leader
// from its applied pop state (PopStateManager) and the queue: first the in-flight messages
// whose deadline passed, in offset order (delivered again with attempt + 1; one delivered
// max_reconsume_times + 1 times already goes to %DLQ%<group> instead; one the queue no longer
// holds is taken out), then new messages from the pop offset that match the filter (the ones
// that do not are passed over: the pop offset moves past them), up to the batch size and
// pop_in_flight_max in flight. A group's first receive on a queue starts at the queue's
// oldest message.
//
// Threading: Plan from any thread (reads MetaStore, ConsumeQueue and CommitLog, all safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/message_reader.h"
#include "broker/service_context.h"
#include "broker/tag_filter.h"
#include "common/result.h"
#include "proto/broker_command.pb.h"
#include "proto/messaging.pb.h"
#include "storage/message_record.h"

namespace raftmq::broker::v2 {

struct PopRequest {
  std::string group;
  std::string topic;
  int32_t queue_id = 0;
  uint32_t batch_max = 1;
  int64_t invisible_duration_ms = 0;
  TagFilter filter;
};

struct PopDelivery {
  messaging::MessageExt message;
  int32_t attempt = 1;  // this delivery's, 1 for the first
};

struct PopPlan {
  PopCommand command;                   // expected offset, deliveries, removals, deadline
  std::vector<PopDelivery> deliveries;  // as the command delivers them
  std::vector<storage::Message> dead;   // copies to store in %DLQ%<group> before the command
  // For a receive that waits because there is nothing to propose: the queue's max offset when
  // planned (a message written since wakes it) and the earliest deadline still in flight.
  uint64_t hold_offset = 0;
  std::optional<int64_t> next_deadline_ms;

  bool Empty() const {
    return command.offsets().empty() && command.redeliver().empty() && command.remove().empty() &&
           command.next_pop_offset() == command.expected_pop_offset();
  }
};

// A delivered message as stored again in %DLQ%<group> (RocketMQ keeps id, body, tag, keys
// and properties, records the original topic, and counts the deliveries as reconsume times).
storage::Message DeadLetterCopy(const messaging::MessageExt& stored, const std::string& group, int32_t attempt,
                                int64_t now_ms);

class PopPlanner {
 public:
  explicit PopPlanner(const ServiceContext* context);

  // `now_ms`: the wall clock; deadlines are now_ms + request.invisible_duration_ms.
  Result<PopPlan> Plan(const PopRequest& request, int64_t now_ms) const;

  // The message at `offset` of the queue; nullopt when the queue no longer holds it
  // (retention) or never did.
  Result<std::optional<messaging::MessageExt>> ReadAt(const std::string& topic, int32_t queue_id,
                                                      int64_t offset) const;

 private:
  // Expired entries of `state`, up to the batch size, into `plan`.
  Status PlanExpired(const PopRequest& request, const PopQueueState& state, int64_t now_ms, PopPlan* plan) const;
  Status PlanNew(const PopRequest& request, const PopQueueState& state, const storage::ConsumeQueue* queue,
                 PopPlan* plan) const;

  const ServiceContext* const context_;
  const MessageReader reader_;
};

}  // namespace raftmq::broker::v2
