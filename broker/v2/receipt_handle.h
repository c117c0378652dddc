// ReceiptHandle: what a RocketMQ 5 consumer hands back to acknowledge a received message or
// change its invisible duration. It names the message (topic, queue id, queue offset), the
// pop epoch of the delivery (the Raft index of the command that made it, see
// broker/pop_state_manager.h) and when it becomes invisible no more (wall-clock ms). The
// consumer group is the request's. A handle is current while the group's in-flight entry at
// that offset still has that epoch: acknowledging, redelivering or changing the duration spends
// it. Text, so clients log it as they like:
//   "<queue id>:<offset>:<epoch>:<deadline ms>:<topic>"  (the topic last: it may hold ':')
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raftmq::broker::v2 {

struct ReceiptHandle {
  std::string topic;
  int32_t queue_id = 0;
  int64_t offset = 0;
  int64_t epoch = 0;
  int64_t deadline_ms = 0;

  bool operator==(const ReceiptHandle&) const = default;
};

std::string EncodeReceiptHandle(const ReceiptHandle& handle);
// nullopt unless `text` is a handle EncodeReceiptHandle made: numbers in range (queue id,
// offset and deadline >= 0, epoch > 0), a topic present.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace raftmq::broker::v2
